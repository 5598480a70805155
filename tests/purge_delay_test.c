/* Purge delay: empty slabs go back to the OS on their own, without
 * malloc_trim, once HAKMEM_PURGE_DELAY_MS has passed and the heap next makes or
 * releases a slab. With the delay at 0 they go at once. Measured with
 * hakmem's own count of resident bytes (trim_test checks the process RSS). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <time.h>

#include "hakmem/core/options.h"
#include "hakmem/hakmem.h"
#include "tests/check.h"

#define N (1 << 20) /* blocks of 200 B: about 200 MiB */

static void *blocks[N];

static uint64_t resident(void) {
  hak_stats_t s = {.size = sizeof s};
  CHECK_EQ(hak_stats_get(&s), 0);
  return s.os_resident;
}

static uint64_t peak_then_free(void) {
  for (int i = 0; i < N; i++) {
    blocks[i] = hak_malloc(200);
    CHECK(blocks[i] != NULL);
    ((char *)blocks[i])[0] = 1; /* touch */
  }
  uint64_t peak = resident();
  for (int i = 0; i < N; i++)
    hak_free(blocks[i]);
  return peak;
}

int main(void) {
  hak_free(hak_malloc(1)); /* init, so the options below are not read over */
  hk_opt.purge_delay_ms = 30;
  uint64_t base = resident();
  uint64_t peak = peak_then_free();
  struct timespec ts = {0, 60 * 1000 * 1000};
  nanosleep(&ts, NULL);
  /* Activity in another class makes a slab, which runs the expired purge. */
  void *q = hak_malloc(3000);
  hak_free(q);
  uint64_t after = resident();
  printf("delay 30 ms: resident %llu KiB at start, %llu at peak, %llu after\n",
         (unsigned long long)base >> 10, (unsigned long long)peak >> 10,
         (unsigned long long)after >> 10);
  CHECK(peak - base > (uint64_t)150 << 20);
  CHECK(after < base + ((uint64_t)16 << 20));

  hk_opt.purge_delay_ms = 0;
  peak = peak_then_free();
  after = resident();
  printf("delay 0: resident %llu KiB at peak, %llu right after the frees\n",
         (unsigned long long)peak >> 10, (unsigned long long)after >> 10);
  CHECK(after < base + ((uint64_t)16 << 20));
  return 0;
}
