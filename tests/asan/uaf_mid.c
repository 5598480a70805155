/* A read of a freed mid block. */
#include "tests/asan/misuse.h"

int main(void) {
  char *p = hak_malloc(3000);
  hak_free(p);
  return misuse_read(p + 100);
}
