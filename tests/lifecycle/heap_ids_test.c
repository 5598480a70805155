/* Heap ids past the registry's limit (251): with 300 threads alive, the last
 * heaps made share one id and every free of theirs takes the slow path.
 *  1. When the threads with ids exit and their heaps lose their SuperSlabs
 *     (after the purge delay), the live threads on the shared id take those
 *     ids at their next slow-path work: ids are reused.
 *  2. Once threads exit, a new thread gets a heap with an id of its own (the
 *     pool prefers those) even when the heaps without one were pooled last. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "hakmem/box/tls_cache.h"
#include "hakmem/core/registry.h"
#include "tests/lifecycle/lifecycle.h"

#define THREADS 300

static pthread_barrier_t made;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int may_exit[THREADS];
static int unique[THREADS];
static _Atomic int upgrade_now, upgraded;

static void *worker(void *arg) {
  int id = (int)(intptr_t)arg;
  hak_free(hak_malloc(32));
  unique[id] = hk_tls.reg_id != HK_REG_NONE;
  pthread_barrier_wait(&made);
  if (!unique[id]) {
    while (!atomic_load(&upgrade_now))
      sleep_ms(5);
    for (int i = 0; i < 250 && hk_tls.reg_id == HK_REG_NONE; i++) {
      sleep_ms(20); /* past the purge delay: the slow path does maintenance */
      slow_path_call();
    }
    if (hk_tls.reg_id != HK_REG_NONE)
      atomic_fetch_add(&upgraded, 1);
  }
  pthread_mutex_lock(&lock);
  while (!may_exit[id])
    pthread_cond_wait(&cond, &lock);
  pthread_mutex_unlock(&lock);
  return NULL;
}

static void *probe(void *arg) {
  hak_free(hak_malloc(32));
  *(int *)arg = hk_tls.reg_id != HK_REG_NONE;
  return NULL;
}

/* Lets the threads whose id uniqueness is `u` exit, and joins them. */
static void finish(pthread_t *th, int u) {
  pthread_mutex_lock(&lock);
  for (int i = 0; i < THREADS; i++)
    if (unique[i] == u)
      may_exit[i] = 1;
  pthread_cond_broadcast(&cond);
  pthread_mutex_unlock(&lock);
  for (int i = 0; i < THREADS; i++)
    if (unique[i] == u)
      CHECK_EQ(pthread_join(th[i], NULL), 0);
}

int main(void) {
  static pthread_t th[THREADS];
  hak_free(hak_malloc(1));
  CHECK_EQ(pthread_barrier_init(&made, NULL, THREADS + 1), 0);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  for (int i = 0; i < THREADS; i++)
    CHECK_EQ(pthread_create(&th[i], &attr, worker, (void *)(intptr_t)i), 0);
  pthread_barrier_wait(&made);
  int shared = 0;
  for (int i = 0; i < THREADS; i++)
    shared += !unique[i];
  fprintf(stderr, "%d threads alive: %d without an id of their own\n", THREADS, shared);
  CHECK(shared > 0);
  /* Heaps with ids go to the pool first; after the purge delay their
   * SuperSlabs are gone (the maintenance our slow-path calls run). */
  finish(th, 1);
  for (int i = 0; i < 10; i++) {
    sleep_ms(20);
    slow_path_call();
  }
  atomic_store(&upgrade_now, 1);
  finish(th, 0);
  fprintf(stderr, "%d of %d threads on the shared id took a freed id\n", atomic_load(&upgraded),
          shared);
  CHECK_EQ(atomic_load(&upgraded), shared);
  for (int i = 0; i < 20; i++) {
    int got = 0;
    pthread_t p;
    CHECK_EQ(pthread_create(&p, NULL, probe, &got), 0);
    CHECK_EQ(pthread_join(p, NULL), 0);
    CHECK(got);
  }
  return 0;
}
