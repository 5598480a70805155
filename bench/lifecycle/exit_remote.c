/* A worker thread allocates 200 MB of 1000 B blocks and exits; the main thread
 * frees them all; RSS added 300 ms later (MiB). */
#include <pthread.h>
#include <string.h>

#include "bench/lifecycle/lifecycle_common.h"

#define BLOCKS (200L * 1000 * 1000 / 1000)
static void **blocks;

static void *worker(void *arg) {
  (void)arg;
  for (long i = 0; i < BLOCKS; i++) {
    blocks[i] = malloc(1000);
    memset(blocks[i], 1, 1000);
  }
  return NULL;
}

int main(void) {
  blocks = calloc(BLOCKS, sizeof *blocks);
  long start = rss();
  pthread_t th;
  pthread_create(&th, NULL, worker, NULL);
  pthread_join(th, NULL);
  for (long i = 0; i < BLOCKS; i++)
    free(blocks[i]);
  sleep_ms(300);
  printf("%.1f\n", mib(rss() - start));
  return 0;
}
