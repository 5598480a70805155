/* Stress: 4 threads allocate blocks of random sizes, write a pattern derived
 * from the block's address and size into each, and free them, a third of them
 * on another thread (handed over through queues). Every free checks the pattern
 * first, so a block handed out twice or corrupted is caught. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hakmem/hakmem.h"
#include "tests/check.h"

#ifndef OPS_PER_THREAD
#define OPS_PER_THREAD 1500000
#endif
#define THREADS 4
#define LIVE    2048
#define QCAP    4096

typedef struct {
  pthread_mutex_t lock;
  void *items[QCAP];
  size_t sizes[QCAP];
  int n;
} queue_t;

static queue_t queues[THREADS];

static uint64_t xorshift(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

static void stamp(unsigned char *p, size_t n) {
  uint64_t v = (uintptr_t)p * 0x9E3779B97F4A7C15ULL ^ n;
  for (size_t i = 0; i < n; i++)
    p[i] = (unsigned char)(v >> ((i & 7) * 8));
}

static void check_and_free(unsigned char *p, size_t n) {
  uint64_t v = (uintptr_t)p * 0x9E3779B97F4A7C15ULL ^ n;
  for (size_t i = 0; i < n; i++)
    if (p[i] != (unsigned char)(v >> ((i & 7) * 8))) {
      fprintf(stderr, "block %p size %zu corrupted at byte %zu\n", (void *)p, n, i);
      CHECK(0);
    }
  hak_free(p);
}

static int push(int q, void *p, size_t n) {
  queue_t *Q = &queues[q];
  pthread_mutex_lock(&Q->lock);
  int ok = Q->n < QCAP;
  if (ok) {
    Q->items[Q->n] = p;
    Q->sizes[Q->n++] = n;
  }
  pthread_mutex_unlock(&Q->lock);
  return ok;
}

static void drain(int q) {
  queue_t *Q = &queues[q];
  static __thread void *items[QCAP];
  static __thread size_t sizes[QCAP];
  pthread_mutex_lock(&Q->lock);
  int n = Q->n;
  memcpy(items, Q->items, (size_t)n * sizeof(void *));
  memcpy(sizes, Q->sizes, (size_t)n * sizeof(size_t));
  Q->n = 0;
  pthread_mutex_unlock(&Q->lock);
  for (int i = 0; i < n; i++)
    check_and_free(items[i], sizes[i]);
}

static void *worker(void *arg) {
  int id = (int)(intptr_t)arg;
  uint64_t seed = 0x1234567ULL * (uint64_t)(id + 1);
  static __thread void *live[LIVE];
  static __thread size_t live_n[LIVE];
  for (long op = 0; op < OPS_PER_THREAD; op++) {
    uint64_t r = xorshift(&seed);
    int slot = (int)(r % LIVE);
    if (live[slot]) {
      if ((r >> 20) % 3 == 0 &&
          push((id + 1 + (int)((r >> 30) % (THREADS - 1))) % THREADS, live[slot], live_n[slot])) {
        /* handed to another thread, which checks and frees it */
      } else {
        check_and_free(live[slot], live_n[slot]);
      }
      live[slot] = NULL;
    } else {
      /* Mostly tiny, some mid, a few large. */
      size_t n = (r >> 40) % 100 < 85   ? (r >> 8) % 1025
                 : (r >> 40) % 100 < 99 ? (r >> 8) % 32768
                                        : 70000;
      unsigned char *p = hak_malloc(n);
      CHECK(p != NULL);
      CHECK_EQ((uintptr_t)p % 16, 0);
      stamp(p, n);
      live[slot] = p;
      live_n[slot] = n;
    }
    if ((op & 255) == 0)
      drain(id);
  }
  for (int i = 0; i < LIVE; i++)
    if (live[i])
      check_and_free(live[i], live_n[i]);
  return NULL;
}

int main(void) {
  pthread_t th[THREADS];
  for (int i = 0; i < THREADS; i++)
    pthread_mutex_init(&queues[i].lock, NULL);
  for (int i = 0; i < THREADS; i++)
    CHECK_EQ(pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i), 0);
  for (int i = 0; i < THREADS; i++)
    CHECK_EQ(pthread_join(th[i], NULL), 0);
  for (int i = 0; i < THREADS; i++)
    drain(i);
  printf("%d threads x %d ops: every block's pattern intact\n", THREADS, OPS_PER_THREAD);
  return 0;
}
