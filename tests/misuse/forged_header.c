#include "tests/misuse/misuse.h"
/* A write before a block that leaves another class's valid tag there: the shipped
 * build once pushed the block onto that class's list (a 64-byte block handed out
 * for 200-byte requests); the class comes from the SuperSlab now and the header
 * must match it. */
int main(void) {
  char *p = malloc(64);
  char *q = malloc(200);
  ((char *)opaque(p))[-1] = ((char *)opaque(q))[-1];
  free(opaque(announce(p)));
  return DONE();
}
