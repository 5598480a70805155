/* Giving memory back must not make a program fault it in again while it still
 * uses it: (1) threads that start, allocate 2 MB of 1 KiB blocks, free them and
 * exit, one after another, adopt the heap of the one before and find its pages
 * still there; (2) spans that come and go find their SuperSlab still mapped;
 * (3) a program that fills 4 MiB with small blocks and frees them, again and
 * again for 400 ms, keeps its pages: a unit goes back once it has been free
 * for the purge delay, not at the heap's next purge whenever it falls (which
 * had each of the 8 purges in 400 ms take back the units free at that moment);
 * (4) a worker's 1 MiB of 256 B blocks, freed by the main thread after the
 * worker exits (remote frees into its pooled heap, which keeps that much),
 * are still there for the next thread, which adopts the heap (they went back
 * at once: 256 faults and more).
 * Counted in minor page faults (getrusage), with generous fixed bounds; the
 * purge delay is the default (50 ms), much longer than any loop's gaps. */
#include <pthread.h>
#include <time.h>

#include "tests/lifecycle/lifecycle.h"

static void *churn(void *arg) {
  static __thread void *p[2000];
  (void)arg;
  for (int i = 0; i < 2000; i++)
    CHECK((p[i] = hak_malloc(1024)) != NULL);
  for (int i = 0; i < 2000; i++)
    hak_free(p[i]);
  return NULL;
}

enum { FILL = (4 << 20) / 256 }; /* 4 MiB of 256 B blocks */
static void *fill[FILL];

enum { KEPT = (1 << 20) / 256 - 64 }; /* the pooled heap's 1 MiB, less a slab's rounding */

static void *fill_thread(void *arg) {
  (void)arg;
  fill_blocks(fill, KEPT, 256, 1, 1);
  return NULL;
}

int main(void) {
  enum { THREADS = 400, SPAN_OPS = 20000 };
  pthread_t t;
  CHECK_EQ(pthread_create(&t, NULL, churn, NULL), 0); /* warm: the heap exists */
  CHECK_EQ(pthread_join(t, NULL), 0);
  long before = minor_faults();
  for (int i = 0; i < THREADS; i++) {
    CHECK_EQ(pthread_create(&t, NULL, churn, NULL), 0);
    CHECK_EQ(pthread_join(t, NULL), 0);
  }
  long threads = minor_faults() - before;

  static void *ring[16];
  unsigned seed = 12345;
  before = minor_faults();
  for (int i = 0; i < SPAN_OPS; i++) {
    seed = seed * 1103515245u + 12345u;
    unsigned slot = (seed >> 8) % 16;
    size_t size = ((size_t)64 << 10) + (seed >> 12) % ((size_t)900 << 10);
    hak_free(ring[slot]);
    CHECK((ring[slot] = hak_malloc(size)) != NULL);
    ((char *)ring[slot])[0] = 1;
  }
  long spans = minor_faults() - before;
  for (int i = 0; i < 16; i++)
    hak_free(ring[i]);

  struct timespec t0, now;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  long cycles = 0, first = 0;
  do {
    fill_blocks(fill, FILL, 256, 1, 1);
    for (int i = 0; i < FILL; i++)
      hak_free(fill[i]);
    if (cycles++ == 0)
      first = minor_faults(); /* the first fill faults its pages in */
    clock_gettime(CLOCK_MONOTONIC, &now);
  } while ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000 < 400);
  long refills = minor_faults() - first;

  CHECK_EQ(pthread_create(&t, NULL, fill_thread, NULL), 0);
  CHECK_EQ(pthread_join(t, NULL), 0);
  for (int i = 0; i < KEPT; i++)
    hak_free(fill[i]);
  before = minor_faults();
  CHECK_EQ(pthread_create(&t, NULL, fill_thread, NULL), 0);
  CHECK_EQ(pthread_join(t, NULL), 0);
  long adopted = minor_faults() - before;
  for (int i = 0; i < KEPT; i++)
    hak_free(fill[i]);

  printf("refault_test: %ld faults for %d thread lifetimes, %ld for %d span ops, %ld for %ld "
         "fills of 4 MiB after the first, %ld for 1 MiB in the adopted heap\n",
         threads, THREADS, spans, SPAN_OPS, refills, cycles - 1, adopted);
  fflush(stdout);
#ifdef HK_TEST_SANITIZER
  /* A sanitizer's own shadow memory faults in with each thread: no bound. */
  puts("refault_test: bounds not checked under a sanitizer");
#else
  CHECK(threads < 20 * THREADS);
  CHECK(spans < SPAN_OPS / 4);
  CHECK(refills < 256); /* 4 MiB is 1024 pages: one purge taking it back fails this */
  CHECK(adopted < 64);  /* 1 MiB is 256 pages */
#endif
  return 0;
}
