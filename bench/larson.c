/* larson: a server-style workload in the spirit of Larson and Krishnan's benchmark.
 *
 *   larson SLEEP MIN MAX CHUNKS ROUNDS SEED THREADS
 *   e.g. larson 1 1 128 1024 1 12345 1
 *
 * THREADS slots each own an array of CHUNKS blocks, filled by the main thread before the
 * clock starts. A worker thread repeats ROUNDS x CHUNKS times: pick a random chunk, free
 * it, allocate a new block of MIN..MAX bytes (uniform) and write its first and last byte.
 * Then, unless time is up, it hands its array to a new thread it creates and exits; the
 * new thread joins it and carries on. Blocks are thus freed by threads other than the one
 * that allocated them, and threads come and go all the time, as in a server.
 * After SLEEP seconds (fractions allowed) the main thread raises a stop flag; each chain of
 * threads stops within 64 ops. Throughput counts one op per free+malloc replacement, over
 * the time from the first thread's start to the last thread's end.
 *
 * Uses plain malloc/free (compare.py LD_PRELOADs allocators under it); built with
 * -DBENCH_HAK (target larson_hak) it calls hak_malloc/hak_free instead. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/bench_common.h"

#ifdef BENCH_HAK
#include "hakmem/hakmem.h"
#define LARSON_MALLOC hak_malloc
#define LARSON_FREE   hak_free
#define LARSON_NAME   "larson (hak_malloc/hak_free)"
#else
#define LARSON_MALLOC malloc
#define LARSON_FREE   free
#define LARSON_NAME   "larson (malloc/free)"
#endif

typedef struct larson_slot {
  void **blocks;
  uint64_t rng;
  uint64_t ops;         /* replacements done by every thread of this chain */
  uint64_t generations; /* threads this chain has run */
  pthread_t prev;       /* the thread that handed the array over, joined by the next */
  int has_prev;
  pthread_t last;  /* the chain's final thread, written by itself before done */
  atomic_int done; /* set (release) by the chain's final thread */
  char pad[64];    /* keep slots on their own cache lines */
} larson_slot_t;

static struct {
  size_t min_size;
  uint32_t size_span;
  uint32_t chunks;
  uint64_t per_thread;
  atomic_int stop;
} g_larson;

static void *larson_alloc(uint64_t *rng) {
  size_t size = g_larson.min_size + bench_below(rng, g_larson.size_span);
  unsigned char *p = LARSON_MALLOC(size);
  if (p == NULL) {
    bench_die("larson: allocation failed");
  }
  p[0] = (unsigned char)size;
  p[size - 1] = (unsigned char)size;
  return p;
}

static void *larson_worker(void *arg) {
  larson_slot_t *slot = arg;
  if (slot->has_prev) {
    pthread_join(slot->prev, NULL);
  }
  uint64_t rng = slot->rng;
  void **blocks = slot->blocks;
  uint64_t i = 0;
  for (; i < g_larson.per_thread; i++) {
    if ((i & 63) == 0 && atomic_load_explicit(&g_larson.stop, memory_order_relaxed)) {
      break;
    }
    uint32_t k = bench_below(&rng, g_larson.chunks);
    LARSON_FREE(blocks[k]);
    blocks[k] = larson_alloc(&rng);
  }
  slot->rng = rng;
  slot->ops += i;
  slot->generations++;
  if (!atomic_load_explicit(&g_larson.stop, memory_order_relaxed)) {
    slot->prev = pthread_self();
    slot->has_prev = 1;
    pthread_t next;
    if (pthread_create(&next, NULL, larson_worker, slot) == 0) {
      return NULL; /* the slot now belongs to the next thread */
    }
    /* No more threads to be had: end this chain here. */
  }
  slot->last = pthread_self();
  atomic_store_explicit(&slot->done, 1, memory_order_release);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 8) {
    fprintf(stderr, "usage: larson SLEEP MIN MAX CHUNKS ROUNDS SEED THREADS\n"
                    "  e.g. larson 1 1 128 1024 1 12345 1 (SLEEP = seconds per measurement)\n");
    return 2;
  }
  double seconds = bench_arg_seconds(argv[1], "SLEEP");
  uint64_t min_size = bench_arg_u64(argv[2], "MIN");
  uint64_t max_size = bench_arg_u64(argv[3], "MAX");
  uint64_t chunks = bench_arg_u64(argv[4], "CHUNKS");
  uint64_t rounds = bench_arg_u64(argv[5], "ROUNDS");
  uint64_t seed = bench_arg_u64(argv[6], "SEED");
  uint64_t threads = bench_arg_u64(argv[7], "THREADS");
  if (min_size == 0 || max_size < min_size || max_size - min_size >= UINT32_MAX) {
    bench_die("larson: need 1 <= MIN <= MAX");
  }
  if (chunks == 0 || chunks > (1u << 24) || rounds == 0 || rounds > (1u << 24)) {
    bench_die("larson: CHUNKS and ROUNDS must be in 1..2^24");
  }
  if (threads == 0 || threads > 1024) {
    bench_die("larson: THREADS must be in 1..1024");
  }
  g_larson.min_size = (size_t)min_size;
  g_larson.size_span = (uint32_t)(max_size - min_size + 1);
  g_larson.chunks = (uint32_t)chunks;
  g_larson.per_thread = rounds * chunks;
  atomic_init(&g_larson.stop, 0);

  larson_slot_t *slots = calloc(threads, sizeof(larson_slot_t));
  if (slots == NULL) {
    bench_die("larson: out of memory");
  }
  for (uint64_t t = 0; t < threads; t++) {
    slots[t].blocks = calloc(chunks, sizeof(void *));
    if (slots[t].blocks == NULL) {
      bench_die("larson: out of memory");
    }
    slots[t].rng = bench_seed(seed + t);
    atomic_init(&slots[t].done, 0);
    for (uint64_t c = 0; c < chunks; c++) {
      slots[t].blocks[c] = larson_alloc(&slots[t].rng);
    }
  }

  double t0 = bench_now();
  for (uint64_t t = 0; t < threads; t++) {
    pthread_t tid;
    if (pthread_create(&tid, NULL, larson_worker, &slots[t]) != 0) {
      bench_die("larson: pthread_create failed");
    }
  }
  bench_sleep(seconds);
  atomic_store_explicit(&g_larson.stop, 1, memory_order_relaxed);
  for (uint64_t t = 0; t < threads; t++) {
    while (!atomic_load_explicit(&slots[t].done, memory_order_acquire)) {
      bench_sleep(0.0005);
    }
    pthread_join(slots[t].last, NULL);
  }
  double elapsed = bench_now() - t0;

  uint64_t ops = 0;
  uint64_t generations = 0;
  for (uint64_t t = 0; t < threads; t++) {
    ops += slots[t].ops;
    generations += slots[t].generations;
    for (uint64_t c = 0; c < chunks; c++) {
      LARSON_FREE(slots[t].blocks[c]);
    }
    free(slots[t].blocks);
  }
  free(slots);

  printf("%s: sleep=%gs size=%llu..%llu chunks=%llu rounds=%llu seed=%llu threads=%llu\n",
         LARSON_NAME, seconds, (unsigned long long)min_size, (unsigned long long)max_size,
         (unsigned long long)chunks, (unsigned long long)rounds, (unsigned long long)seed,
         (unsigned long long)threads);
  printf("Throughput = %.0f operations per second (%llu ops, %llu threads, %.3f s)\n",
         (double)ops / elapsed, (unsigned long long)ops, (unsigned long long)generations, elapsed);
  bench_print_ops((double)ops, elapsed);
  return 0;
}
