/* A read of a freed tiny block. */
#include "tests/asan/misuse.h"

int main(void) {
  char *p = hak_malloc(20);
  hak_free(p);
  return misuse_read(p);
}
