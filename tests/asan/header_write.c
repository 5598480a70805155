/* A write to the class header byte just before a block. */
#include "tests/asan/misuse.h"

int main(void) {
  char *p = hak_malloc(64);
  return misuse_write(p - 1);
}
