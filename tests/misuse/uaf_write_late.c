/* A use-after-free write past a freed block's link word, then reuse: only the
 * zero-on-free check (HAKMEM_ZERO_ON_FREE=1, hardened) can see it. */
#include "tests/misuse/misuse.h"
int main(void) {
  char *p = malloc(64);
  free(p);
  ((char *)opaque(announce(p)))[32] = 1;
  char *q = opaque(malloc(64));
  if (q == p)
    fprintf(stderr, "the written block was handed out again\n");
  free(q);
  return DONE();
}
