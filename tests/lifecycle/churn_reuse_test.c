/* Threads that start, allocate 3 MB of 1-64 KiB blocks and exit, their blocks freed by
 * the main thread (remote frees into the exited thread's pooled heap), one after another:
 * the next thread adopts the heap and finds its memory still there, so a thread costs no
 * system call of hakmem's. Each pooled heap kept 1 MiB of what emptied before, the rest
 * going back at once: 14 madvise, 6 munmap and 2 mmap calls per thread (4000 threads
 * 1.0 s, glibc 0.53); now the pooled heaps keep 16 MiB together (core/superslab.c).
 * Counted with hakmem's own statistics (maps, unmaps, decommits), with a generous bound:
 * a maintenance falling between two threads (the purge delay is 50 ms) gives the kept
 * memory back, and the next thread maps and faults it in again. */
#include <pthread.h>

#include "tests/lifecycle/lifecycle.h"
#include "tests/stats_check.h"

enum { BLOCKS = 100, THREADS = 200 };
static void *blocks[BLOCKS];

static void *worker(void *arg) {
  unsigned seed = (unsigned)(uintptr_t)arg;
  for (int i = 0; i < BLOCKS; i++) {
    seed = seed * 1103515245u + 12345u;
    CHECK((blocks[i] = hak_malloc(1024 + (seed >> 8) % (63 * 1024))) != NULL);
    memset(blocks[i], 1, 64);
  }
  return NULL;
}

static void one_thread(unsigned k) {
  pthread_t t;
  CHECK_EQ(pthread_create(&t, NULL, worker, (void *)(uintptr_t)(k + 1)), 0);
  CHECK_EQ(pthread_join(t, NULL), 0);
  for (int i = 0; i < BLOCKS; i++)
    hak_free(blocks[i]);
}

static uint64_t os_calls(void) {
  hak_stats_t s = checked_stats();
  return s.os_maps + s.os_unmaps + s.os_decommits;
}

int main(void) {
  for (unsigned k = 0; k < 4; k++)
    one_thread(k); /* the heaps exist */
  uint64_t before = os_calls();
  for (unsigned k = 0; k < THREADS; k++)
    one_thread(k);
  uint64_t calls = os_calls() - before;
  printf("churn_reuse_test: %llu maps, unmaps and decommits for %d threads\n",
         (unsigned long long)calls, THREADS);
  fflush(stdout);
  CHECK(calls < 2 * THREADS);
  return 0;
}
