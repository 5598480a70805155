#define _DEFAULT_SOURCE
#include <sys/mman.h>
#include "tests/misuse/misuse.h"
int main(void) {
  char *m = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  free(opaque(announce(m + 16)));
  return DONE();
}
