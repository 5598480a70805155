/* A read of a freed large block (its mapping waits in the cache). */
#include "tests/asan/misuse.h"

int main(void) {
  char *p = hak_malloc((size_t)3 << 20);
  hak_free(p);
  return misuse_read(p + 4096);
}
