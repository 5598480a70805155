/* prodcons: cross-thread frees. A producer allocates, consumers free.
 *
 *   prodcons N MIN MAX [PAIRS [QUEUE [CONSUMERS]]]
 *
 * Each of PAIRS (default 1) producer threads allocates N blocks of MIN..MAX bytes
 * (uniform), writes a tag in the first and last byte and pushes the pointer into a bounded
 * single-producer single-consumer queue of QUEUE entries (default 1024), one per consumer
 * of its CONSUMERS (default 1; several make xmalloc-test's one-allocates-others-free), in
 * turn; each consumer thread pops, checks the tag and frees. Every free is a remote free. A thread
 * that finds the queue full (or empty) spins briefly, then yields. ops/s counts blocks passed
 * through, over the time from the start barrier to the last consumer's end. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/bench_common.h"

typedef struct pc_queue {
  _Alignas(64) atomic_size_t head; /* next index to pop, written by the consumer */
  _Alignas(64) atomic_size_t tail; /* next index to push, written by the producer */
  _Alignas(64) void **ring;
  size_t mask;
  uint64_t n;                /* blocks the producer makes, over all its consumers' queues */
  uint64_t seed;             /* the producer's */
  uint64_t bad;              /* tags that did not match (must stay 0) */
  unsigned index, consumers; /* this queue's consumer among the producer's */
} pc_queue_t;

static size_t g_min_size;
static uint32_t g_size_span;
static pthread_barrier_t g_start;

static void pc_wait(unsigned *spins) {
  if (++*spins > 64) {
    sched_yield();
    *spins = 0;
  }
}

/* arg: the first of the producer's `consumers` queues. */
static void *pc_producer(void *arg) {
  pc_queue_t *first = arg;
  uint64_t rng = bench_seed(first->seed);
  pthread_barrier_wait(&g_start);
  for (uint64_t i = 0; i < first->n; i++) {
    pc_queue_t *q = &first[i % first->consumers];
    size_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
    size_t size = g_min_size + bench_below(&rng, g_size_span);
    unsigned char *p = malloc(size);
    if (p == NULL) {
      bench_die("prodcons: allocation failed");
    }
    p[0] = (unsigned char)size;
    p[size - 1] = (unsigned char)(size >> 8);
    unsigned spins = 0;
    while (tail - atomic_load_explicit(&q->head, memory_order_acquire) > q->mask) {
      pc_wait(&spins);
    }
    q->ring[tail & q->mask] = p;
    tail++;
    atomic_store_explicit(&q->tail, tail, memory_order_release);
  }
  return NULL;
}

static void *pc_consumer(void *arg) {
  pc_queue_t *q = arg;
  size_t head = 0;
  uint64_t rng = bench_seed(q->seed); /* replays the producer's sizes to check the tags */
  pthread_barrier_wait(&g_start);
  for (uint64_t i = 0; i < q->n; i++) {
    size_t size = g_min_size + bench_below(&rng, g_size_span);
    if (i % q->consumers != q->index)
      continue; /* another consumer's block */
    unsigned spins = 0;
    while (atomic_load_explicit(&q->tail, memory_order_acquire) == head) {
      pc_wait(&spins);
    }
    unsigned char *p = q->ring[head & q->mask];
    head++;
    atomic_store_explicit(&q->head, head, memory_order_release);
    if (p[0] != (unsigned char)size || p[size - 1] != (unsigned char)(size >> 8)) {
      q->bad++;
    }
    free(p);
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 4 || argc > 7) {
    fprintf(stderr, "usage: prodcons N MIN MAX [PAIRS [QUEUE [CONSUMERS]]]\n");
    return 2;
  }
  uint64_t n = bench_arg_u64(argv[1], "N");
  uint64_t min_size = bench_arg_u64(argv[2], "MIN");
  uint64_t max_size = bench_arg_u64(argv[3], "MAX");
  uint64_t pairs = argc > 4 ? bench_arg_u64(argv[4], "PAIRS") : 1;
  uint64_t qsize = argc > 5 ? bench_arg_u64(argv[5], "QUEUE") : 1024;
  uint64_t consumers = argc > 6 ? bench_arg_u64(argv[6], "CONSUMERS") : 1;
  if (min_size == 0 || max_size < min_size || max_size - min_size >= UINT32_MAX) {
    bench_die("prodcons: need 1 <= MIN <= MAX");
  }
  if (pairs == 0 || pairs > 256) {
    bench_die("prodcons: PAIRS must be in 1..256");
  }
  if (consumers == 0 || consumers > 64) {
    bench_die("prodcons: CONSUMERS must be in 1..64");
  }
  if (qsize < 2 || qsize > (1u << 24) || (qsize & (qsize - 1)) != 0) {
    bench_die("prodcons: QUEUE must be a power of two in 2..2^24");
  }
  g_min_size = (size_t)min_size;
  g_size_span = (uint32_t)(max_size - min_size + 1);

  uint64_t nq = pairs * consumers, nthreads = pairs + nq;
  pc_queue_t *queues = aligned_alloc(64, nq * sizeof(pc_queue_t));
  pthread_t *tids = calloc(nthreads, sizeof(pthread_t));
  if (queues == NULL || tids == NULL) {
    bench_die("prodcons: out of memory");
  }
  for (uint64_t i = 0; i < nq; i++) {
    atomic_init(&queues[i].head, 0);
    atomic_init(&queues[i].tail, 0);
    queues[i].ring = calloc(qsize, sizeof(void *));
    if (queues[i].ring == NULL) {
      bench_die("prodcons: out of memory");
    }
    queues[i].mask = qsize - 1;
    queues[i].n = n;
    queues[i].seed = 1000 + i / consumers;
    queues[i].bad = 0;
    queues[i].index = (unsigned)(i % consumers);
    queues[i].consumers = (unsigned)consumers;
  }
  pthread_barrier_init(&g_start, NULL, (unsigned)(nthreads + 1));
  for (uint64_t i = 0; i < pairs; i++) {
    if (pthread_create(&tids[i], NULL, pc_producer, &queues[i * consumers]) != 0) {
      bench_die("prodcons: pthread_create failed");
    }
  }
  for (uint64_t i = 0; i < nq; i++) {
    if (pthread_create(&tids[pairs + i], NULL, pc_consumer, &queues[i]) != 0) {
      bench_die("prodcons: pthread_create failed");
    }
  }
  pthread_barrier_wait(&g_start);
  double t0 = bench_now();
  for (uint64_t i = 0; i < nthreads; i++) {
    pthread_join(tids[i], NULL);
  }
  double elapsed = bench_now() - t0;
  pthread_barrier_destroy(&g_start);

  uint64_t bad = 0;
  for (uint64_t i = 0; i < nq; i++) {
    bad += queues[i].bad;
    free(queues[i].ring);
  }
  free(queues);
  free(tids);
  printf("prodcons: N=%llu per producer, size=%llu..%llu, producers=%llu, consumers=%llu each, "
         "queue=%llu, %.3f s\n",
         (unsigned long long)n, (unsigned long long)min_size, (unsigned long long)max_size,
         (unsigned long long)pairs, (unsigned long long)consumers, (unsigned long long)qsize,
         elapsed);
  if (bad != 0) {
    fprintf(stderr, "prodcons: %llu blocks arrived corrupted\n", (unsigned long long)bad);
    return 1;
  }
  bench_print_ops((double)(n * pairs), elapsed);
  return 0;
}
