/* No orphaned heaps: 500 threads in turn, each with a pthread key whose
 * destructor allocates in every destructor round (it sets the key again, so
 * glibc runs it PTHREAD_DESTRUCTOR_ITERATIONS times). Each thread still returns
 * its heap: at most 8 MiB of RSS is added after malloc_trim(0), and the threads
 * reuse a handful of heaps instead of making one each. */
#include <limits.h>
#include <pthread.h>

#include "tests/lifecycle/lifecycle.h"
#include "tests/stats_check.h"

#define THREADS 500

static pthread_key_t key;

static void destructor(void *v) {
  hak_free(v);
  void *p = hak_malloc(64); /* allocates, also in the last round */
  CHECK(p != NULL);
  CHECK_EQ(pthread_setspecific(key, p), 0);
}

static void *worker(void *arg) {
  (void)arg;
  void *tmp[32];
  for (int i = 0; i < 32; i++)
    tmp[i] = hak_malloc((size_t)(16 + i * 30));
  for (int i = 0; i < 32; i++)
    hak_free(tmp[i]);
  CHECK_EQ(pthread_setspecific(key, hak_malloc(64)), 0);
  return NULL;
}

int main(void) {
#if defined(__SANITIZE_THREAD__)
  /* TSan finalizes a thread in its own key destructor's last round; an
   * intercepted call (a mutex) after that crashes inside TSan. */
  puts("skipped: ThreadSanitizer cannot run key destructors after its own");
  return 0;
#endif
  hak_free(hak_malloc(1));
  /* After hakmem's own key, as in a preloaded program: its destructor runs
   * after hakmem's in each round. */
  CHECK_EQ(pthread_key_create(&key, destructor), 0);
  long start = rss_bytes();
  for (int i = 0; i < THREADS; i++) {
    pthread_t th;
    CHECK_EQ(pthread_create(&th, NULL, worker, NULL), 0);
    CHECK_EQ(pthread_join(th, NULL), 0);
  }
  hak_malloc_trim(0);
  long after = rss_bytes();
  hak_stats_t s = checked_stats();
  fprintf(stderr, "%d threads: RSS +%ld KiB after malloc_trim, %llu heaps made\n", THREADS,
          (after - start) / KIB, (unsigned long long)s.heaps);
  /* The last round's block stays (the key is never cleared): one block per
   * thread, freed remotely never. */
  CHECK(s.heaps <= 4);
  if (RSS_CHECKED)
    CHECK(after - start <= 8 * MIB);
  return 0;
}
