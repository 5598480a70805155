/* More live threads than there are registry heap ids (251): the heaps made
 * after the ids run out share one registry value and free through the slow
 * path's ownership check. Every thread allocates, frees its own blocks, frees
 * a neighbour's blocks (remote) and checks patterns, all threads alive at once. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "hakmem/core/registry.h"
#include "hakmem/hakmem.h"
#include "tests/check.h"

#define THREADS 300
#define BLOCKS  64

static unsigned char *blocks[THREADS][BLOCKS];
static pthread_barrier_t made, freed;

static void *worker(void *arg) {
  int id = (int)(intptr_t)arg;
  for (int i = 0; i < BLOCKS; i++) {
    size_t n = 16 + (size_t)((id * 7 + i * 13) % 900);
    blocks[id][i] = hak_malloc(n);
    CHECK(blocks[id][i] != NULL);
    memset(blocks[id][i], id & 0xFF, 16);
  }
  /* Local frees and reuse of half of them. */
  for (int round = 0; round < 20; round++)
    for (int i = 0; i < BLOCKS / 2; i++) {
      hak_free(blocks[id][i]);
      blocks[id][i] = hak_malloc(48);
      CHECK(blocks[id][i] != NULL);
      memset(blocks[id][i], id & 0xFF, 16);
    }
  pthread_barrier_wait(&made);
  /* Free the neighbour's blocks: remote frees into every kind of heap. */
  int other = (id + 1) % THREADS;
  for (int i = 0; i < BLOCKS; i++) {
    for (int k = 0; k < 16; k++)
      CHECK_EQ(blocks[other][i][k], other & 0xFF);
    hak_free(blocks[other][i]);
  }
  pthread_barrier_wait(&freed);
  return NULL;
}

int main(void) {
  pthread_t th[THREADS];
  CHECK_EQ(pthread_barrier_init(&made, NULL, THREADS), 0);
  CHECK_EQ(pthread_barrier_init(&freed, NULL, THREADS), 0);
  for (int i = 0; i < THREADS; i++) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    CHECK_EQ(pthread_create(&th[i], &attr, worker, (void *)(intptr_t)i), 0);
    pthread_attr_destroy(&attr);
  }
  for (int i = 0; i < THREADS; i++)
    CHECK_EQ(pthread_join(th[i], NULL), 0);
  hak_stats_t s = {.size = sizeof s};
  CHECK_EQ(hak_stats_get(&s), 0);
  CHECK(s.heaps > HK_REG_MAX_HEAP_ID); /* the shared id was in use */
  return 0;
}
