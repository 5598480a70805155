/* fork: the child never adopts a heap that was mid-operation in the parent.
 * A worker thread's heap is marked busy by hand (as its refill, spill or
 * collect would), and the worker waits; the main thread forks. In the child, a
 * new thread must not get that heap (it would adopt it otherwise: it is the
 * only heap of a thread that does not exist there), and allocates and frees at
 * once. */
#include <pthread.h>
#include <sys/wait.h>

#include "hakmem/box/tls_cache.h"
#include "hakmem/core/superslab.h"
#include "tests/lifecycle/lifecycle.h"

static pthread_barrier_t ready, done;
static hk_heap_t *busy_heap;

static void *worker(void *arg) {
  (void)arg;
  hak_free(hak_malloc(64));
  busy_heap = hk_tls.heap;
  hk_heap_enter(busy_heap); /* ... and the fork comes now */
  pthread_barrier_wait(&ready);
  pthread_barrier_wait(&done);
  hk_heap_leave(busy_heap);
  return NULL;
}

static void *child_thread(void *arg) {
  void *p[100];
  for (int i = 0; i < 100; i++)
    p[i] = hak_malloc(64);
  for (int i = 0; i < 100; i++)
    hak_free(p[i]);
  *(hk_heap_t **)arg = hk_tls.heap;
  return NULL;
}

int main(void) {
#ifdef HK_TEST_SANITIZER
  puts("skipped: sanitizers do not support threads started after a multi-threaded fork");
  return 0;
#endif
  hak_free(hak_malloc(1));
  pthread_t th;
  CHECK_EQ(pthread_barrier_init(&ready, NULL, 2), 0);
  CHECK_EQ(pthread_barrier_init(&done, NULL, 2), 0);
  CHECK_EQ(pthread_create(&th, NULL, worker, NULL), 0);
  pthread_barrier_wait(&ready);
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    hk_heap_t *got = NULL;
    pthread_t t;
    if (pthread_create(&t, NULL, child_thread, &got) != 0 || pthread_join(t, NULL) != 0)
      _exit(2);
    _exit(got == busy_heap ? 3 : 0); /* 3: the busy heap was adopted */
  }
  int status;
  CHECK_EQ(waitpid(pid, &status, 0), pid);
  pthread_barrier_wait(&done);
  CHECK_EQ(pthread_join(th, NULL), 0);
  fprintf(stderr, "child exit status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  return 0;
}
