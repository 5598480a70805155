/* An aligned interior pointer whose byte before it copies the block's own header. */
#include "tests/misuse/misuse.h"
int main(void) {
  char *p = calloc(1, 64);
  p[15] = p[-1];
  free(opaque(announce(p + 16)));
  return DONE();
}
