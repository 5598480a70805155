/* Helpers for the memory-lifecycle tests: a bounded wait for the process's RSS
 * (tests/statm.h) to fall under a bound. Bounds are fixed and generous;
 * nothing here measures time for a result, the waits only bound a test. */
#ifndef HAKMEM_TESTS_LIFECYCLE_H
#define HAKMEM_TESTS_LIFECYCLE_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hakmem/hakmem.h"
#include "tests/check.h"
#include "tests/statm.h"

#define KIB ((long)1024)
#define MIB ((long)1 << 20)

static inline void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* Work that takes hakmem's slow path (a span is made and given back), the
 * kind of call on which a heap's pending maintenance runs. */
static inline void slow_path_call(void) {
  void *p = hak_malloc(200 * 1024);
  CHECK(p != NULL);
  hak_free(p);
}

/* Allocates n blocks of size bytes into blocks[] and writes `touch` bytes of
 * `byte` at the start of each, so their pages are resident. */
static inline void fill_blocks(void **blocks, long n, size_t size, int byte, size_t touch) {
  for (long i = 0; i < n; i++) {
    blocks[i] = hak_malloc(size);
    CHECK(blocks[i] != NULL);
    memset(blocks[i], byte, touch);
  }
}

/* Polls RSS every 20 ms, for at most 5 s, until it is at most `bound`; with
 * `poke`, makes a slow-path call each time. Returns the last reading. */
static inline long wait_rss_below(long bound, int poke) {
  long rss = rss_bytes();
  for (int i = 0; i < 250 && rss > bound; i++) {
    sleep_ms(20);
    if (poke)
      slow_path_call();
    rss = rss_bytes();
  }
  return rss;
}

#ifdef HK_TEST_SANITIZER
/* ASan's shadow and quarantine keep memory hakmem gave back: the paths run,
 * the RSS bounds are not checked. */
#define RSS_CHECKED 0
#else
#define RSS_CHECKED 1
#endif

#endif /* HAKMEM_TESTS_LIFECYCLE_H */
