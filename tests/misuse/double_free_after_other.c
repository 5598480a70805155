#include "tests/misuse/misuse.h"
int main(void) {
  void *p = malloc(100), *q = malloc(100);
  free(p);
  free(q);
  free(opaque(announce(p)));
  return DONE();
}
