/* A read of a freed aligned block. */
#include "tests/asan/misuse.h"

int main(void) {
  char *p = hak_aligned_alloc(256, 100);
  hak_free(p);
  return misuse_read(p);
}
