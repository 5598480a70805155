#include "tests/misuse/misuse.h"
void free_sized(void *p, size_t size) __attribute__((weak));
int main(void) {
  if (!free_sized)
    return 77;
  void *p = malloc(100);
  free_sized(opaque(announce(p)), 4096);
  return DONE();
}
