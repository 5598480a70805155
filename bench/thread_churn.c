/* thread_churn: short-lived threads that allocate, free and exit, many times over.
 *
 *   thread_churn ROUNDS THREADS OPS MAXSIZE [SEED]
 *
 * ROUNDS times, THREADS threads are created at once; each does OPS ops on its own ring of
 * 64 slots (free the slot's block if there is one, else allocate 16..MAXSIZE bytes and
 * write its first byte), frees what is left and exits; the main thread joins them all
 * before the next round. An allocator that does not recycle an exited thread's caches
 * grows here (compare.py reports peak RSS). ops/s counts the ops of all threads over the
 * whole run, thread creation included; threads/s is printed too. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/bench_common.h"

enum { TC_SLOTS = 64, TC_MIN_SIZE = 16 };

typedef struct tc_arg {
  uint64_t seed;
  uint64_t ops;
  uint32_t size_span;
} tc_arg_t;

static void *tc_worker(void *argp) {
  const tc_arg_t *arg = argp;
  void *slots[TC_SLOTS] = {0};
  uint64_t rng = bench_seed(arg->seed);
  for (uint64_t i = 0; i < arg->ops; i++) {
    uint32_t k = bench_below(&rng, TC_SLOTS);
    if (slots[k] != NULL) {
      free(slots[k]);
      slots[k] = NULL;
    } else {
      unsigned char *p = malloc(TC_MIN_SIZE + bench_below(&rng, arg->size_span));
      if (p == NULL) {
        bench_die("thread_churn: allocation failed");
      }
      p[0] = (unsigned char)i;
      slots[k] = p;
    }
  }
  for (int k = 0; k < TC_SLOTS; k++) {
    free(slots[k]);
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 5 || argc > 6) {
    fprintf(stderr, "usage: thread_churn ROUNDS THREADS OPS MAXSIZE [SEED]\n");
    return 2;
  }
  uint64_t rounds = bench_arg_u64(argv[1], "ROUNDS");
  uint64_t threads = bench_arg_u64(argv[2], "THREADS");
  uint64_t ops = bench_arg_u64(argv[3], "OPS");
  uint64_t max_size = bench_arg_u64(argv[4], "MAXSIZE");
  uint64_t seed = argc > 5 ? bench_arg_u64(argv[5], "SEED") : 1;
  if (rounds == 0 || threads == 0 || threads > 1024) {
    bench_die("thread_churn: need ROUNDS >= 1 and THREADS in 1..1024");
  }
  if (max_size < TC_MIN_SIZE || max_size > (1u << 30)) {
    bench_die("thread_churn: MAXSIZE must be in 16..2^30");
  }
  pthread_t *tids = calloc(threads, sizeof(pthread_t));
  tc_arg_t *args = calloc(threads, sizeof(tc_arg_t));
  if (tids == NULL || args == NULL) {
    bench_die("thread_churn: out of memory");
  }
  double t0 = bench_now();
  for (uint64_t r = 0; r < rounds; r++) {
    for (uint64_t t = 0; t < threads; t++) {
      args[t].seed = seed + r * threads + t;
      args[t].ops = ops;
      args[t].size_span = (uint32_t)(max_size - TC_MIN_SIZE + 1);
      if (pthread_create(&tids[t], NULL, tc_worker, &args[t]) != 0) {
        bench_die("thread_churn: pthread_create failed");
      }
    }
    for (uint64_t t = 0; t < threads; t++) {
      pthread_join(tids[t], NULL);
    }
  }
  double elapsed = bench_now() - t0;
  free(tids);
  free(args);
  printf("thread_churn: rounds=%llu threads=%llu ops=%llu size=16..%llu, %.3f s, "
         "%.0f threads/s\n",
         (unsigned long long)rounds, (unsigned long long)threads, (unsigned long long)ops,
         (unsigned long long)max_size, elapsed, (double)(rounds * threads) / elapsed);
  bench_print_ops((double)(rounds * threads * ops), elapsed);
  return 0;
}
