/* With HAKMEM_ABORT_ON_ERROR=0, a double free is reported, the block leaked, and
 * the program goes on: the block is not handed out twice. */
#include "tests/misuse/misuse.h"
int main(void) {
  char *p = malloc(100);
  free(p);
  free(opaque(announce(p)));
  char *a = opaque(malloc(100)), *b = opaque(malloc(100));
  if (a == b) {
    fprintf(stderr, "the same block twice\n");
    return 1;
  }
  return 0;
}
