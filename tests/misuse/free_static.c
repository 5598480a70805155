#include "tests/misuse/misuse.h"
static char data[64];
int main(void) {
  free(opaque(announce(data + 16)));
  return DONE();
}
