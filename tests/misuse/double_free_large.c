#include "tests/misuse/misuse.h"
int main(void) {
  void *p = malloc(1 << 21);
  free(p);
  free(opaque(announce(p)));
  return DONE();
}
