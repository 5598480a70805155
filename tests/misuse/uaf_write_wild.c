/* A use-after-free write of a wild value into a freed block's first word. */
#include "tests/misuse/misuse.h"
int main(void) {
  void **p = malloc(64);
  free(p);
  *(void **)opaque(p) = (void *)0x4141414141414140;
  void *a = malloc(64), *b = malloc(64);
  fprintf(stderr, "malloc returned %p, %p\n", a, b);
  return DONE();
}
