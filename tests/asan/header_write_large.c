/* A write to the header just below a large block (it records the mapping). */
#include "tests/asan/misuse.h"

int main(void) {
  char *p = hak_malloc((size_t)3 << 20);
  return misuse_write(p - 1);
}
