/* The cache of freed large mappings: a block of any size up to the cache's budget is
 * kept (a 40 MiB one too: the mapping comes back without a map), it goes back to the OS
 * once the decay time passes with no further large operation (a small-block slow path
 * checks), and malloc_trim gives it back at once. Read from hakmem's own count of mapped
 * bytes. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "hakmem/core/options.h"
#include "hakmem/hakmem.h"
#include "tests/check.h"

#define MIB ((uint64_t)1 << 20)

static hak_stats_t stats(void) {
  hak_stats_t s = {.size = sizeof s};
  CHECK_EQ(hak_stats_get(&s), 0);
  return s;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0) {
  }
}

/* Small allocations enough to take the slow path (refills) many times. */
static void small_traffic(void) {
  static void *p[4096];
  for (int i = 0; i < 4096; i++)
    CHECK((p[i] = hak_malloc(48)) != NULL);
  for (int i = 0; i < 4096; i++)
    hak_free(p[i]);
}

int main(void) {
  hak_free(hak_malloc(1)); /* init, so the option below is not read over */
  hk_opt.large_decay_ms = 400;
  hak_malloc_trim(0);
  small_traffic(); /* maps the SuperSlab the small slow path below uses */
  uint64_t base = stats().os_mapped;

  /* Kept and reused: the same mapping, no new map. */
  char *p = hak_malloc(40 * MIB);
  CHECK(p != NULL);
  p[0] = 1;
  hak_free(p);
  hak_stats_t s = stats();
  CHECK(s.os_mapped >= base + 20 * MIB); /* (a stall of 200 ms may trim some) */
  char *q = hak_malloc(40 * MIB);
  CHECK(q == p);
  CHECK_EQ(stats().os_maps, s.os_maps);
  hak_free(q);

  /* Expires with no large operation: after the decay time, a small slow path. */
  sleep_ms(700);
  small_traffic();
  uint64_t after = stats().os_mapped;
  printf("large_decay_test: mapped %llu MiB at start, %llu with the cached block, %llu after "
         "the decay time\n",
         (unsigned long long)(base / MIB), (unsigned long long)(s.os_mapped / MIB),
         (unsigned long long)(after / MIB));
  CHECK(after < base + 2 * MIB);

  /* malloc_trim: at once. */
  hak_free(hak_malloc(30 * MIB));
  CHECK(stats().os_mapped >= base + 20 * MIB);
  CHECK(hak_malloc_trim(0) == 1);
  CHECK(stats().os_mapped < base + 2 * MIB);
  return 0;
}
