/* A use-after-free write of an attacker-chosen address: malloc must not return it. */
#include "tests/misuse/misuse.h"
static _Alignas(64) char target[256];
int main(void) {
  void **p = malloc(64);
  free(p);
  *(void **)opaque(p) = target + 64;
  void *a = opaque(malloc(64)), *b = opaque(malloc(64));
  if (a == target + 64 || b == target + 64)
    fprintf(stderr, "malloc returned the attacker's address\n");
  return DONE();
}
