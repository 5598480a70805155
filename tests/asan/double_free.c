/* A tiny block freed twice. */
#include "tests/asan/misuse.h"

int main(void) {
  char *p = hak_malloc(20);
  hak_free(p);
  hak_free(misuse_announce(p));
  return misuse_survived();
}
