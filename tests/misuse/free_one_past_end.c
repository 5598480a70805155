#include <malloc.h>
#include "tests/misuse/misuse.h"
int main(void) {
  char *p = calloc(1, 64);
  free(opaque(announce(p + malloc_usable_size(p))));
  return DONE();
}
