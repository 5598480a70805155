/* fork while other threads refill, spill and free remotely: the child never
 * adopts a heap that was mid-operation in the parent. Workers churn blocks
 * across batch boundaries (refills and spills) and free each other's blocks
 * (remote frees); the main thread forks FORKS times. Each child at once starts
 * threads (which adopt the parent's pooled heaps) that allocate, check and free
 * blocks of many classes, frees from its main thread too, and exits. A child
 * that crashes, fails a check or hangs (alarm) fails the test. */

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/lifecycle/lifecycle.h"

#ifndef FORKS
#define FORKS 500
#endif
#define WORKERS 3
#define SLOTS   256

static _Atomic(void *) handoff[SLOTS];
static _Atomic int stop;

static void *worker(void *arg) {
  uint32_t x = (uint32_t)(uintptr_t)arg * 2654435761u + 1;
  void *mine[64] = {0};
  while (!atomic_load(&stop)) {
    x = x * 1103515245u + 12345u;
    unsigned k = (x >> 8) % 64;
    size_t size = 16 + (x >> 16) % 600;
    if (mine[k]) {
      /* hand it over: someone else frees it remotely */
      void *old = atomic_exchange(&handoff[(x >> 4) % SLOTS], mine[k]);
      if (old)
        hak_free(old);
      mine[k] = NULL;
    } else {
      mine[k] = hak_malloc(size);
      CHECK(mine[k] != NULL);
      memset(mine[k], 0x33, 16);
    }
    if ((x & 0xFFF) == 0) { /* bursts across batch boundaries */
      void *burst[200];
      for (int i = 0; i < 200; i++)
        burst[i] = hak_malloc(48);
      for (int i = 0; i < 200; i++)
        hak_free(burst[i]);
    }
  }
  for (int k = 0; k < 64; k++)
    hak_free(mine[k]);
  return NULL;
}

static void *child_thread(void *arg) {
  (void)arg;
  void *b[300];
  for (int round = 0; round < 4; round++) {
    for (int i = 0; i < 300; i++) {
      size_t size = 16 + (size_t)(i * 37 % 1000);
      b[i] = hak_malloc(size);
      if (!b[i])
        _exit(4);
      memset(b[i], i & 0xFF, size);
    }
    for (int i = 0; i < 300; i++) {
      if (((unsigned char *)b[i])[0] != (i & 0xFF))
        _exit(5);
      hak_free(b[i]);
    }
  }
  return NULL;
}

static void child(void) {
  alarm(20);
  for (int i = 0; i < SLOTS; i++) { /* remote frees into the parent's heaps */
    void *p = atomic_exchange(&handoff[i], NULL);
    if (p)
      hak_free(p);
  }
  pthread_t th[WORKERS];
  for (int i = 0; i < WORKERS; i++)
    if (pthread_create(&th[i], NULL, child_thread, NULL) != 0)
      _exit(6);
  for (int i = 0; i < WORKERS; i++)
    pthread_join(th[i], NULL);
  child_thread(NULL);
  _exit(0);
}

int main(void) {
#ifdef HK_TEST_SANITIZER
  puts("skipped: sanitizers do not support threads started after a multi-threaded fork");
  return 0;
#endif
  hak_free(hak_malloc(1));
  pthread_t th[WORKERS];
  for (int i = 0; i < WORKERS; i++)
    CHECK_EQ(pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)(i + 1)), 0);
  int failed = 0;
  for (int f = 0; f < FORKS && !failed; f++) {
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0)
      child();
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      fprintf(stderr, "fork %d: child %s %d\n", f, WIFEXITED(status) ? "exit status" : "signal",
              WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
      failed = 1;
    }
  }
  atomic_store(&stop, 1);
  for (int i = 0; i < WORKERS; i++)
    CHECK_EQ(pthread_join(th[i], NULL), 0);
  for (int i = 0; i < SLOTS; i++)
    hak_free(atomic_exchange(&handoff[i], NULL));
  CHECK(!failed);
  return 0;
}
