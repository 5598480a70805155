/* false_sharing: threads write hard into small blocks of their own.
 *
 *   false_sharing THREADS ROUNDS WRITES SIZE [active|passive]
 *
 * Each thread, ROUNDS times: allocate SIZE bytes, do WRITES byte increments cycling over
 * the block, free it. If the allocator hands two threads blocks on the same cache line,
 * the line bounces between cores and the writes slow down by an order of magnitude.
 * active (the default): threads start together and allocate for themselves.
 * passive: the main thread first allocates THREADS blocks back to back and gives one to
 *   each thread, which frees it before its own rounds; an allocator that hands the freed
 *   block straight back to the freeing thread puts neighbours on one line.
 * ops/s counts writes of all threads over the time from the start barrier to the end. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_common.h"

typedef struct fs_arg {
  void *handed; /* passive mode: a block from the main thread, freed first */
  uint64_t rounds;
  uint64_t writes;
  size_t size;
} fs_arg_t;

static pthread_barrier_t g_start;

static void *fs_worker(void *argp) {
  const fs_arg_t *arg = argp;
  pthread_barrier_wait(&g_start);
  free(arg->handed);
  for (uint64_t r = 0; r < arg->rounds; r++) {
    volatile unsigned char *p = malloc(arg->size);
    if (p == NULL) {
      bench_die("false_sharing: allocation failed");
    }
    size_t j = 0;
    for (uint64_t w = 0; w < arg->writes; w++) {
      p[j] = (unsigned char)(p[j] + 1);
      if (++j == arg->size) {
        j = 0;
      }
    }
    free((void *)p);
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 5 || argc > 6) {
    fprintf(stderr, "usage: false_sharing THREADS ROUNDS WRITES SIZE [active|passive]\n");
    return 2;
  }
  uint64_t threads = bench_arg_u64(argv[1], "THREADS");
  uint64_t rounds = bench_arg_u64(argv[2], "ROUNDS");
  uint64_t writes = bench_arg_u64(argv[3], "WRITES");
  uint64_t size = bench_arg_u64(argv[4], "SIZE");
  int passive = 0;
  if (argc == 6) {
    if (strcmp(argv[5], "passive") == 0) {
      passive = 1;
    } else if (strcmp(argv[5], "active") != 0) {
      bench_die("false_sharing: mode must be active or passive");
    }
  }
  if (threads == 0 || threads > 1024 || size == 0 || size > (1u << 20)) {
    bench_die("false_sharing: need THREADS in 1..1024 and SIZE in 1..2^20");
  }
  pthread_t *tids = calloc(threads, sizeof(pthread_t));
  fs_arg_t *args = calloc(threads, sizeof(fs_arg_t));
  if (tids == NULL || args == NULL) {
    bench_die("false_sharing: out of memory");
  }
  pthread_barrier_init(&g_start, NULL, (unsigned)(threads + 1));
  for (uint64_t t = 0; t < threads; t++) {
    args[t].rounds = rounds;
    args[t].writes = writes;
    args[t].size = (size_t)size;
    args[t].handed = passive ? malloc((size_t)size) : NULL;
    if (passive && args[t].handed == NULL) {
      bench_die("false_sharing: allocation failed");
    }
  }
  for (uint64_t t = 0; t < threads; t++) {
    if (pthread_create(&tids[t], NULL, fs_worker, &args[t]) != 0) {
      bench_die("false_sharing: pthread_create failed");
    }
  }
  pthread_barrier_wait(&g_start);
  double t0 = bench_now();
  for (uint64_t t = 0; t < threads; t++) {
    pthread_join(tids[t], NULL);
  }
  double elapsed = bench_now() - t0;
  pthread_barrier_destroy(&g_start);
  free(tids);
  free(args);
  printf("false_sharing (%s): threads=%llu rounds=%llu writes=%llu size=%llu, %.3f s\n",
         passive ? "passive" : "active", (unsigned long long)threads, (unsigned long long)rounds,
         (unsigned long long)writes, (unsigned long long)size, elapsed);
  bench_print_ops((double)(threads * rounds * writes), elapsed);
  return 0;
}
