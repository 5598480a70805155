/* Blocks freed remotely into the heap of a thread that is alive but idle are
 * collected and given back without that thread: a worker allocates 200 MB of
 * 1000 B blocks and then waits; the main thread frees them and keeps doing
 * slow-path work; RSS must come back within 20 MiB of the start (bounded wait,
 * 5 s) while the worker still waits. */
#include <pthread.h>

#include "tests/lifecycle/lifecycle.h"

#define BLOCK  1000
#define BLOCKS (200L * 1000 * 1000 / BLOCK)

static void **blocks;
static pthread_barrier_t filled, done;

static void *worker(void *arg) {
  (void)arg;
  fill_blocks(blocks, BLOCKS, BLOCK, 0x5A, BLOCK);
  pthread_barrier_wait(&filled);
  pthread_barrier_wait(&done); /* idle: no allocation, no free */
  return NULL;
}

int main(void) {
  hak_free(hak_malloc(1));
  blocks = hak_calloc(BLOCKS, sizeof *blocks);
  CHECK(blocks != NULL);
  CHECK_EQ(pthread_barrier_init(&filled, NULL, 2), 0);
  CHECK_EQ(pthread_barrier_init(&done, NULL, 2), 0);
  long start = rss_bytes();
  pthread_t th;
  CHECK_EQ(pthread_create(&th, NULL, worker, NULL), 0);
  pthread_barrier_wait(&filled);
  long peak = rss_bytes();
  for (long i = 0; i < BLOCKS; i++)
    hak_free(blocks[i]);
  long after = wait_rss_below(start + 20 * MIB, 1);
  fprintf(stderr,
          "idle owner: RSS %ld KiB at start, %ld at peak, %ld after the frees and the wait\n",
          start / KIB, peak / KIB, after / KIB);
  pthread_barrier_wait(&done);
  CHECK_EQ(pthread_join(th, NULL), 0);
  CHECK(peak - start > 150 * MIB);
  if (RSS_CHECKED)
    CHECK(after <= start + 20 * MIB);
  hak_free(blocks);
  return 0;
}
