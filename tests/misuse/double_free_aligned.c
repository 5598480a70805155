#include "tests/misuse/misuse.h"
int main(void) {
  void *p = aligned_alloc(256, 100);
  free(p);
  free(opaque(announce(p)));
  return DONE();
}
