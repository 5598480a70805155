/* An overflow over the whole next block and onto the one after it. */
#include <malloc.h>
#include "tests/misuse/misuse.h"
int main(void) {
  char *a, *b;
  adjacent(48, &a, &b);
  memset(a, 0x41, (size_t)(b - a) + malloc_usable_size(b) + 1);
  free(opaque(announce(b)));
  return DONE();
}
