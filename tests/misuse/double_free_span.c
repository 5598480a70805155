#include "tests/misuse/misuse.h"
int main(void) {
  void *keep = malloc(200000), *p = malloc(200000);
  free(p);
  free(opaque(announce(p)));
  free(keep);
  return DONE();
}
