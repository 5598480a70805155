#include "tests/misuse/misuse.h"
int main(void) {
  char *p = calloc(1, 64);
  free(opaque(announce(p + 8)));
  return DONE();
}
