#include "tests/misuse/misuse.h"
/* The same overflow as overflow_large, into a block served from the cache of
 * freed mappings out of a bigger one: its guard moved with it. */
int main(void) {
  size_t size = 1 << 20;
  free(opaque(malloc(size + size / 2)));
  volatile char *p = opaque(announce(malloc(size)));
  for (size_t i = size; i <= size + 4096; i++)
    p[i] = 'A';
  free((void *)p);
  return DONE();
}
