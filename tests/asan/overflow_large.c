/* A write one byte past a large request (its own mapping). */
#include "tests/asan/misuse.h"

int main(void) {
  size_t n = ((size_t)3 << 20) + 5;
  char *p = hak_malloc(n);
  return misuse_write(p + n);
}
