/* A write one byte past a span that, without an ASan redzone, would end where
 * its SuperSlab ends: spans start 64 bytes into their run, so a request of k
 * units less 64 bytes fills the run, and one of 3 units and then 14 of 2 fill
 * units 1..31 of a fresh SuperSlab. The byte after the last must still be
 * hakmem's and poisoned, not the next mapping's. */
#include "tests/asan/misuse.h"

int main(void) {
  const size_t unit = (size_t)64 << 10;
  char *p = NULL;
  size_t n = 0;
  for (int k = 0; k < 15; k++) {
    n = (k == 0 ? 3 : 2) * unit - 64;
    if (!(p = hak_malloc(n)))
      return 1;
  }
  return misuse_write(p + n);
}
