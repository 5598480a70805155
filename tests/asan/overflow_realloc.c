/* A write one byte past a request that realloc shrank in place. */
#include "tests/asan/misuse.h"

int main(void) {
  char *p = hak_realloc(hak_malloc(30), 20); /* the same 31-byte slot */
  return misuse_write(p + 20);
}
