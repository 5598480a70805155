#include "tests/misuse/misuse.h"
/* A block ending on a 2 MiB boundary: in the hardened build its guard page is
 * the first page of the mapping's next chunk, and a free of an address in it
 * must be reported without reading it. */
int main(void) {
  size_t size = (4 << 20) - 64;
  char *p = malloc(size);
  free(opaque(announce(p + size + 64)));
  return DONE();
}
