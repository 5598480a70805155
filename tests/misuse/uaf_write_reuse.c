/* A write into a freed block (its first word zeroed), then reuse. */
#include "tests/misuse/misuse.h"
int main(void) {
  void *keep = malloc(64), *q = malloc(64), *p = malloc(64);
  free(q);
  free(p);
  memset(opaque(p), 0, 16);
  void *a = malloc(64), *b = malloc(64), *c = malloc(64);
  fprintf(stderr, "got %p %p %p\n", a, b, c);
  free(keep);
  return DONE();
}
