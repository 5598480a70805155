#include "tests/misuse/misuse.h"
int main(void) {
  char buf[64];
  free(opaque(announce(buf + 16)));
  return DONE();
}
