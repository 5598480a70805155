/* A thread whose only allocations are aligned (an aligned class, or a span)
 * keeps its heap marked busy and active while it changes it, like every other
 * owner's slow path: else the maintenance of idle heaps (box/reclaim.c), run
 * by any thread's slow path, takes the heap over while the owner works on it
 * and collects and trims under it. The producer here allocates only with
 * posix_memalign (and frees some of its own), a consumer checks each block's
 * sequence number and frees it (remote frees, which make the heap a candidate),
 * and a third thread keeps taking the slow path (2 MiB blocks) so the
 * maintenance runs often (purge delay 1 ms). Before, a live block's pages went
 * back to the OS (read back as zeros), a block was handed out twice, or a free
 * aborted, within a second or two of such a run. */
#include <pthread.h>
#include <stdatomic.h>

#include "tests/lifecycle/lifecycle.h"

#define QUEUE 1024

static void *_Atomic ring[QUEUE];
static _Atomic long head, tail, bad;
static _Atomic int stop;
static long rounds;
static size_t align, size;

static void *producer(void *arg) {
  (void)arg;
  void *keep[32] = {0};
  for (long i = 0; i < rounds; i++) {
    long *p;
    CHECK_EQ(hak_posix_memalign((void **)&p, align, size), 0);
    p[0] = p[size / 8 - 1] = i;
    int j = (int)(i & 31);
    if (i & 1) { /* a local free and a block kept for a while */
      if (keep[j]) {
        if (((long *)keep[j])[0] != -j - 1)
          atomic_fetch_add(&bad, 1);
        hak_free(keep[j]);
      }
      CHECK_EQ(hak_posix_memalign(&keep[j], align, size), 0);
      ((long *)keep[j])[0] = -j - 1;
    }
    while (head - tail >= QUEUE)
      ;
    ring[head % QUEUE] = p;
    head++;
  }
  for (int j = 0; j < 32; j++)
    hak_free(keep[j]);
  return NULL;
}

static void *consumer(void *arg) {
  (void)arg;
  for (long got = 0; got < rounds;) {
    if (tail == head)
      continue;
    long *p = ring[tail % QUEUE];
    if (p[0] != got || p[size / 8 - 1] != got)
      atomic_fetch_add(&bad, 1);
    tail++;
    hak_free(p);
    got++;
  }
  return NULL;
}

static void *ticker(void *arg) {
  (void)arg;
  while (!stop) {
    char *volatile p = hak_malloc(2 << 20);
    p[0] = 1;
    hak_free(p);
  }
  return NULL;
}

static void run(size_t a, size_t n, long r) {
  align = a, size = n, rounds = r;
  head = tail = 0;
  stop = 0;
  pthread_t th[3];
  CHECK_EQ(pthread_create(&th[0], NULL, ticker, NULL), 0);
  CHECK_EQ(pthread_create(&th[1], NULL, consumer, NULL), 0);
  CHECK_EQ(pthread_create(&th[2], NULL, producer, NULL), 0);
  CHECK_EQ(pthread_join(th[2], NULL), 0);
  CHECK_EQ(pthread_join(th[1], NULL), 0);
  stop = 1;
  CHECK_EQ(pthread_join(th[0], NULL), 0);
  fprintf(stderr, "posix_memalign(%zu, %zu) x %ld: %ld bad blocks\n", a, n, r, (long)bad);
  CHECK_EQ(bad, 0);
}

int main(void) {
#ifdef HK_TEST_SANITIZER
  long r = 100000;
#else
  long r = 1000000;
#endif
  run(64, 100, r); /* an aligned class */
  run(4096, 3000, r / 4);
  run(65536, 100000, r / 20); /* a span */
  return 0;
}
