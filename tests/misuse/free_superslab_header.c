/* A pointer into the first 64 KiB of a block's 2 MiB region (hakmem keeps its
 * SuperSlab header there; other allocators have their own metadata or nothing). */
#include "tests/misuse/misuse.h"
int main(void) {
  char *p = malloc(64);
  char *h = (char *)((uintptr_t)p & ~(uintptr_t)((1 << 21) - 1)) + 32768;
  free(opaque(announce(h)));
  return DONE();
}
