/* A write one byte past a tiny request (slot 31 bytes). */
#include "tests/asan/misuse.h"

int main(void) {
  char *p = hak_malloc(20);
  return misuse_write(p + 20);
}
