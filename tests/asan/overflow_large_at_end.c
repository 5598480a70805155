/* A write one byte past a large request that, with its header, fills its
 * mapping to the last byte: the byte after it must still be hakmem's and
 * poisoned, not the start of someone else's mapping. */
#include "tests/asan/misuse.h"

int main(void) {
  size_t n = ((size_t)2 << 20) - 64; /* 64: the large block header */
  char *p = hak_malloc(n);
  return misuse_write(p + n);
}
