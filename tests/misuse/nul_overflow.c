/* A one-byte NUL overflow past a block's usable size onto the next block. */
#include <malloc.h>
#include "tests/misuse/misuse.h"
int main(void) {
  char *a, *b;
  adjacent(24, &a, &b);
  a[malloc_usable_size(a)] = 0;
  memset(b - 1, 0, 1);
  free(opaque(announce(b)));
  return DONE();
}
