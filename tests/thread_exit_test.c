/* Thread exit: 10,000 threads that allocate, free and exit (each leaving some
 * blocks for the main thread to free remotely) keep RSS flat, because each new
 * thread adopts the heap a finished thread gave back. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "hakmem/core/config.h"
#include "hakmem/core/os.h"
#include "hakmem/hakmem.h"
#include "tests/check.h"
#include "tests/statm.h"

#ifndef THREADS
#define THREADS 10000
#endif
#define KEEP 8

static void *worker(void *arg) {
  void **keep = arg;
  void *tmp[64];
  for (int i = 0; i < 64; i++)
    tmp[i] = hak_malloc((size_t)(16 + i * 61));
  for (int i = 0; i < 64; i++)
    hak_free(tmp[i]);
  for (int i = 0; i < KEEP; i++)
    keep[i] = hak_malloc(200);
  return NULL;
}

static void run(int n) {
  for (int i = 0; i < n; i++) {
    void *keep[KEEP];
    pthread_t th;
    CHECK_EQ(pthread_create(&th, NULL, worker, keep), 0);
    CHECK_EQ(pthread_join(th, NULL), 0);
    for (int k = 0; k < KEEP; k++)
      hak_free(keep[k]); /* remote: the owner has exited */
  }
}

int main(void) {
  hk_os_counters_t c0, c1;
  run(200);
  long before = rss_bytes() / 1024;
  hk_os_get_counters(&c0);
  run(THREADS);
  long after = rss_bytes() / 1024;
  hk_os_get_counters(&c1);
  printf("RSS after 200 threads: %ld KiB; after %d more: %ld KiB; OS maps %llu -> %llu\n", before,
         THREADS, after, (unsigned long long)c0.maps, (unsigned long long)c1.maps);
  /* hakmem maps nothing more: every thread adopted a finished thread's heap. */
  CHECK(c1.maps - c0.maps <= 2);
#if !HK_ASAN && !defined(__SANITIZE_THREAD__)
  /* Sanitizers keep per-thread records of their own, so RSS is checked without. */
  CHECK(after - before < 4096); /* 4 MiB; a leak of one slab per thread would be 640 MiB */
#endif
  return 0;
}
