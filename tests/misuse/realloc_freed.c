#include "tests/misuse/misuse.h"
int main(void) {
  void *p = malloc(100);
  free(p);
  p = realloc(opaque(announce(p)), 200);
  return DONE();
}
