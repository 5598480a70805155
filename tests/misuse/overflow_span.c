#include "tests/misuse/misuse.h"
/* A linear overflow of a page past a span (200000 bytes: a run of SuperSlab
 * units): hardened faults (SIGSEGV) at the guard after its page-rounded end. */
int main(void) {
  size_t size = 200000;
  volatile char *p = opaque(announce(malloc(size)));
  for (size_t i = size; i <= size + 4096; i++)
    p[i] = 'A';
  free((void *)p);
  return DONE();
}
