/* Past the registry's 251 heap ids: LIVE threads stay alive (each made one
 * allocation) while one more thread runs ITERS malloc+free pairs of 64 B. With
 * `last`, that thread makes its first allocation after the LIVE others (with
 * LIVE >= 251 its heap shares the id of the heaps made past the limit, in
 * hakmem, so its frees take the slow path); with `first`, before them (its heap
 * has an id of its own). For callgrind: run at two ITERS, divide the difference.
 *   shared_id_pairs LIVE ITERS first|last */
#include <pthread.h>
#include <stdint.h>

#include "bench/lifecycle/lifecycle_common.h"

static pthread_barrier_t made, done;
static pthread_barrier_t anchored;
static uint64_t iters;
static int first;

static void *idle(void *arg) {
  (void)arg;
  void *p = malloc(40);
  pthread_barrier_wait(&made);
  pthread_barrier_wait(&done);
  free(p);
  return NULL;
}

static void *pairs(void *arg) {
  (void)arg;
  void *anchor = malloc(64);
  if (first)
    pthread_barrier_wait(&anchored);
  for (uint64_t i = 0; i < iters; i++) {
    void *p = malloc(64);
    __asm__ volatile("" : : "r"(p) : "memory");
    free(p);
  }
  free(anchor);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 4)
    return 2;
  int live = atoi(argv[1]);
  iters = strtoull(argv[2], NULL, 10);
  first = argv[3][0] == 'f';
  pthread_t *th = calloc((size_t)live + 1, sizeof *th);
  pthread_barrier_init(&made, NULL, (unsigned)live + 1);
  pthread_barrier_init(&done, NULL, (unsigned)live + 1);
  pthread_barrier_init(&anchored, NULL, 2);
  if (first) {
    pthread_create(&th[live], NULL, pairs, NULL);
    sleep_ms(50); /* its heap is attached before the others' */
  }
  for (int i = 0; i < live; i++)
    pthread_create(&th[i], NULL, idle, NULL);
  pthread_barrier_wait(&made);
  if (first)
    pthread_barrier_wait(&anchored);
  else
    pthread_create(&th[live], NULL, pairs, NULL);
  pthread_join(th[live], NULL);
  pthread_barrier_wait(&done);
  for (int i = 0; i < live; i++)
    pthread_join(th[i], NULL);
  return 0;
}
