/* A thread costs little: 400 live threads, each having made one small
 * allocation, add at most 16 MiB of RSS (pre-warm included); joined, they leave
 * at most 8 MiB once the purge delay has passed (their heaps are pooled and
 * keep no empty slabs). */
#include <pthread.h>

#include "tests/lifecycle/lifecycle.h"

#define THREADS 400

static pthread_barrier_t made, done;

static void *worker(void *arg) {
  void **slot = arg;
  *slot = hak_malloc(40);
  CHECK(*slot != NULL);
  pthread_barrier_wait(&made);
  pthread_barrier_wait(&done);
  hak_free(*slot);
  return NULL;
}

int main(void) {
  static void *slots[THREADS];
  static pthread_t th[THREADS];
  hak_free(hak_malloc(1));
  CHECK_EQ(pthread_barrier_init(&made, NULL, THREADS + 1), 0);
  CHECK_EQ(pthread_barrier_init(&done, NULL, THREADS + 1), 0);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  long start = rss_bytes();
  for (int i = 0; i < THREADS; i++)
    CHECK_EQ(pthread_create(&th[i], &attr, worker, &slots[i]), 0);
  pthread_barrier_wait(&made);
  long live = rss_bytes();
  pthread_barrier_wait(&done);
  for (int i = 0; i < THREADS; i++)
    CHECK_EQ(pthread_join(th[i], NULL), 0);
  long joined = wait_rss_below(start + 8 * MIB, 1);
  fprintf(stderr,
          "%d threads: RSS %ld KiB at start, +%ld KiB live (%ld per thread), +%ld KiB joined\n",
          THREADS, start / KIB, (live - start) / KIB, (live - start) / THREADS / KIB,
          (joined - start) / KIB);
  if (RSS_CHECKED) {
    CHECK(live - start <= 16 * MIB);
    CHECK(joined - start <= 8 * MIB);
  }
  return 0;
}
