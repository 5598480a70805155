#include "tests/misuse/misuse.h"
int main(void) {
  void *p = malloc(8000);
  free(p);
  free(opaque(announce(p)));
  return DONE();
}
