/* A write one byte past an aligned request (a tagged pointer into a bigger slot). */
#include "tests/asan/misuse.h"

int main(void) {
  char *p = hak_aligned_alloc(256, 100);
  return misuse_write(p + 100);
}
