#include "tests/misuse/misuse.h"
/* A linear overflow of a page past a 1 MiB block: hardened faults (SIGSEGV) at
 * the guard after the block's page-rounded end. */
int main(void) {
  size_t size = 1 << 20;
  volatile char *p = opaque(announce(malloc(size)));
  for (size_t i = size; i <= size + 4096; i++)
    p[i] = 'A';
  free((void *)p);
  return DONE();
}
