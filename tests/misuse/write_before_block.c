#include "tests/misuse/misuse.h"
int main(void) {
  char *p = malloc(64);
  ((char *)opaque(p))[-1] = 0x41;
  free(opaque(announce(p)));
  return DONE();
}
