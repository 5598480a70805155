/* With HAKMEM_BACKGROUND_PURGE=1, a cached large mapping goes back to the OS
 * after the decay time in a process that makes no further allocation at all:
 * the purger thread ticks the cache. A bounded poll, never a timing. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <time.h>

#include "hakmem/hakmem.h"
#include "tests/check.h"

#define MIB ((uint64_t)1 << 20)

static uint64_t mapped(void) {
  hak_stats_t s = {.size = sizeof s};
  CHECK_EQ(hak_stats_get(&s), 0);
  return s.os_mapped;
}

int main(void) {
  hak_free(hak_malloc(100)); /* the first slow path starts the purger */
  uint64_t base = mapped();
  char *p = hak_malloc(40 * MIB);
  CHECK(p != NULL);
  p[0] = 1;
  hak_free(p);
  CHECK(mapped() >= base + 20 * MIB); /* cached */
  /* From here on: no allocation, only reads of the statistics. */
  for (int i = 0; i < 100 && mapped() >= base + 2 * MIB; i++) {
    struct timespec ts = {0, 50 * 1000000L};
    nanosleep(&ts, NULL);
  }
  CHECK(mapped() < base + 2 * MIB);
  puts("large_idle_decay_test: the idle cache went back");
  return 0;
}
