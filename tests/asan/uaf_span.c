/* A read of a freed span. */
#include "tests/asan/misuse.h"

int main(void) {
  char *p = hak_malloc(100000);
  hak_free(p);
  return misuse_read(p + 1000);
}
