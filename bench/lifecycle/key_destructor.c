/* 500 threads in turn, each with a pthread key destructor that allocates in
 * every destructor round; RSS added after malloc_trim(0) (MiB). */
#include <malloc.h>
#include <pthread.h>

#include "bench/lifecycle/lifecycle_common.h"

static pthread_key_t key;

static void destructor(void *v) {
  free(v);
  pthread_setspecific(key, malloc(64));
}

static void *worker(void *arg) {
  (void)arg;
  void *tmp[32];
  for (int i = 0; i < 32; i++)
    tmp[i] = malloc((size_t)(16 + i * 30));
  for (int i = 0; i < 32; i++)
    free(tmp[i]);
  pthread_setspecific(key, malloc(64));
  return NULL;
}

int main(void) {
  free(malloc(1));
  pthread_key_create(&key, destructor);
  long start = rss();
  for (int i = 0; i < 500; i++) {
    pthread_t th;
    pthread_create(&th, NULL, worker, NULL);
    pthread_join(th, NULL);
  }
  malloc_trim(0);
  printf("%.1f\n", mib(rss() - start));
  return 0;
}
