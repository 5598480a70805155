/* A write one byte past a mid request (slot 3135 bytes). */
#include "tests/asan/misuse.h"

int main(void) {
  char *p = hak_malloc(3000);
  return misuse_write(p + 3000);
}
