/* A write one byte past a span request (two units). */
#include "tests/asan/misuse.h"

int main(void) {
  char *p = hak_malloc(100000);
  return misuse_write(p + 100000);
}
