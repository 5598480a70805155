#include "tests/misuse/misuse.h"
int main(void) {
  char *p = calloc(1, 1 << 21);
  free(opaque(announce(p + 4096)));
  return DONE();
}
