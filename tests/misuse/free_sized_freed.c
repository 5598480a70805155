#include "tests/misuse/misuse.h"
void free_sized(void *p, size_t size) __attribute__((weak));
int main(void) {
  if (!free_sized)
    return 77; /* this C library has no free_sized */
  void *p = malloc(100);
  free(p);
  free_sized(opaque(announce(p)), 100);
  return DONE();
}
