/* One misuse per program: the program names the address it is about to misuse
 * ("misuse at 0x..."), misuses it once, and must be stopped there by ASan or
 * hakmem; expect_report.sh checks which report, at that address. */
#ifndef HAKMEM_TESTS_ASAN_MISUSE_H
#define HAKMEM_TESTS_ASAN_MISUSE_H

#include <stdio.h>
#include <stdlib.h>

#include "hakmem/hakmem.h"

static inline void *misuse_announce(void *addr) {
  fprintf(stderr, "misuse at %p\n", addr);
  fflush(stderr);
  return addr;
}

/* Reached only if nothing stopped the misuse. */
static inline int misuse_survived(void) {
  fprintf(stderr, "survived the misuse\n");
  return 0;
}

static inline int misuse_write(void *addr) {
  *(volatile char *)misuse_announce(addr) = 1;
  return misuse_survived();
}

static inline int misuse_read(void *addr) {
  (void)*(volatile char *)misuse_announce(addr);
  return misuse_survived();
}

#endif /* HAKMEM_TESTS_ASAN_MISUSE_H */
