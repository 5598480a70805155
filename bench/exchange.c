/* exchange: threads trade blocks of mixed sizes (rptest's kind of load).
 *
 *   exchange N THREADS [SLOTS]
 *
 * THREADS threads share SLOTS slots (default 1024). N times each thread allocates a block
 * of 16 B to 64 KiB (log-uniform by octave), tags its first and last byte, and swaps it
 * into a random slot (one atomic exchange); the block it takes out, most often another
 * thread's, is checked and freed. So most frees are remote and of every size. ops/s counts
 * blocks allocated by all threads. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_common.h"

/* A block starts with its size, so whoever frees it can check its last byte. */
typedef struct block {
  size_t size;
} block_t;

static _Atomic(block_t *) *g_slots;
static uint32_t g_nslots;
static uint64_t g_n;
static pthread_barrier_t g_start;
static atomic_uint_fast64_t g_bad;

static void check_and_free(block_t *b) {
  if (((unsigned char *)b)[b->size - 1] != (unsigned char)b->size)
    atomic_fetch_add(&g_bad, 1);
  free(b);
}

static void *worker(void *arg) {
  uint64_t rng = bench_seed((uint64_t)(uintptr_t)arg);
  pthread_barrier_wait(&g_start);
  for (uint64_t i = 0; i < g_n; i++) {
    size_t size = bench_log_size(&rng, 16, (size_t)64 << 10);
    block_t *b = malloc(size);
    if (b == NULL)
      bench_die("exchange: allocation failed");
    b->size = size;
    ((unsigned char *)b)[size - 1] = (unsigned char)size;
    block_t *old = atomic_exchange(&g_slots[bench_below(&rng, g_nslots)], b);
    if (old)
      check_and_free(old);
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: exchange N THREADS [SLOTS]\n");
    return 2;
  }
  g_n = bench_arg_u64(argv[1], "N");
  uint64_t threads = bench_arg_u64(argv[2], "THREADS");
  uint64_t nslots = argc > 3 ? bench_arg_u64(argv[3], "SLOTS") : 1024;
  if (threads == 0 || threads > 256)
    bench_die("exchange: THREADS must be in 1..256");
  if (nslots == 0 || nslots > (1u << 24))
    bench_die("exchange: SLOTS must be in 1..2^24");
  g_nslots = (uint32_t)nslots;
  g_slots = calloc(nslots, sizeof *g_slots);
  pthread_t *tids = calloc(threads, sizeof *tids);
  if (g_slots == NULL || tids == NULL)
    bench_die("exchange: out of memory");
  pthread_barrier_init(&g_start, NULL, (unsigned)threads + 1);
  for (uint64_t t = 0; t < threads; t++)
    if (pthread_create(&tids[t], NULL, worker, (void *)(uintptr_t)(t + 1)) != 0)
      bench_die("exchange: pthread_create failed");
  pthread_barrier_wait(&g_start);
  double t0 = bench_now();
  for (uint64_t t = 0; t < threads; t++)
    pthread_join(tids[t], NULL);
  double elapsed = bench_now() - t0;
  for (uint64_t k = 0; k < nslots; k++) {
    block_t *b = atomic_load(&g_slots[k]);
    if (b)
      check_and_free(b);
  }
  free(g_slots);
  free(tids);
  if (atomic_load(&g_bad) != 0) {
    fprintf(stderr, "exchange: %llu blocks arrived corrupted\n",
            (unsigned long long)atomic_load(&g_bad));
    return 1;
  }
  bench_print_ops((double)(g_n * threads), elapsed);
  return 0;
}
