/* 400 threads alive, each having made one small allocation: RSS added (MiB);
 * then the same threads joined, 300 ms later: RSS added. Prints both. */
#include <pthread.h>

#include "bench/lifecycle/lifecycle_common.h"

#define THREADS 400
static pthread_barrier_t made, done;

static void *worker(void *arg) {
  void **slot = arg;
  *slot = malloc(40);
  pthread_barrier_wait(&made);
  pthread_barrier_wait(&done);
  free(*slot);
  return NULL;
}

int main(void) {
  static void *slots[THREADS];
  static pthread_t th[THREADS];
  free(malloc(1));
  pthread_barrier_init(&made, NULL, THREADS + 1);
  pthread_barrier_init(&done, NULL, THREADS + 1);
  long start = rss();
  for (int i = 0; i < THREADS; i++)
    pthread_create(&th[i], NULL, worker, &slots[i]);
  pthread_barrier_wait(&made);
  long live = rss();
  pthread_barrier_wait(&done);
  for (int i = 0; i < THREADS; i++)
    pthread_join(th[i], NULL);
  sleep_ms(300);
  printf("%.1f %.1f\n", mib(live - start), mib(rss() - start));
  return 0;
}
