/* remote_free_loop: the cross-thread free path, for instruction counting.
 *
 *   remote_free_loop SIZE ITERS
 *
 * Twice: the main thread allocates ITERS / 2 blocks of SIZE, then a second thread frees
 * them all (every free is remote) and exits; the second round's allocations collect the
 * first round's frees. ITERS mallocs and remote frees in all. Threads take turns (join), so
 * a callgrind count is exact; from runs at two ITERS, the difference of the counts over
 * the difference of ITERS is the cost of a malloc, a remote free and their share of refill
 * and collection (and of the freeing thread's loop, a few instructions). */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/bench_common.h"

typedef struct rf_round {
  void **blocks;
  uint64_t n;
} rf_round_t;

static void *rf_free_all(void *arg) {
  rf_round_t *r = arg;
  for (uint64_t i = 0; i < r->n; i++)
    free(r->blocks[i]);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: remote_free_loop SIZE ITERS\n");
    return 2;
  }
  size_t size = (size_t)bench_arg_u64(argv[1], "SIZE");
  rf_round_t r = {.n = bench_arg_u64(argv[2], "ITERS") / 2};
  if (r.n == 0 || !(r.blocks = calloc(r.n, sizeof(void *))))
    bench_die("remote_free_loop: cannot allocate the block table");
  for (int round = 0; round < 2; round++) {
    for (uint64_t i = 0; i < r.n; i++) {
      r.blocks[i] = malloc(size);
      bench_escape(r.blocks[i]);
    }
    pthread_t t;
    if (pthread_create(&t, NULL, rf_free_all, &r) != 0 || pthread_join(t, NULL) != 0)
      bench_die("remote_free_loop: cannot run the freeing thread");
  }
  free(r.blocks);
  return 0;
}
