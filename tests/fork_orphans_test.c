/* After fork, the heaps of the parent's other threads (which do not exist in
 * the child) go to the pool: a thread the child starts adopts one instead of
 * making a new heap. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hakmem/hakmem.h"
#include "tests/check.h"

static pthread_barrier_t ready, done;

static uint64_t heaps(void) {
  hak_stats_t s = {.size = sizeof s};
  CHECK_EQ(hak_stats_get(&s), 0);
  return s.heaps;
}

static void *holder(void *arg) {
  (void)arg;
  void *p = hak_malloc(100); /* attaches a heap, kept while we wait */
  pthread_barrier_wait(&ready);
  pthread_barrier_wait(&done);
  hak_free(p);
  return NULL;
}

static void *child_thread(void *arg) {
  *(void **)arg = hak_malloc(64);
  return NULL;
}

int main(void) {
#ifdef HK_TEST_SANITIZER
  puts("skipped: sanitizers do not support threads started after a multi-threaded fork");
  return 0;
#endif
  hak_free(hak_malloc(1));
  pthread_t th[3];
  CHECK_EQ(pthread_barrier_init(&ready, NULL, 4), 0);
  CHECK_EQ(pthread_barrier_init(&done, NULL, 4), 0);
  for (int i = 0; i < 3; i++)
    CHECK_EQ(pthread_create(&th[i], NULL, holder, NULL), 0);
  pthread_barrier_wait(&ready);
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    uint64_t before = heaps();
    void *p = NULL;
    pthread_t t;
    if (pthread_create(&t, NULL, child_thread, &p) != 0 || pthread_join(t, NULL) != 0 || !p)
      _exit(2);
    hak_free(p);
    _exit(heaps() == before ? 0 : 3); /* 3: a new heap was made */
  }
  int status;
  CHECK_EQ(waitpid(pid, &status, 0), pid);
  pthread_barrier_wait(&done);
  for (int i = 0; i < 3; i++)
    CHECK_EQ(pthread_join(th[i], NULL), 0);
  printf("child exit status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  return 0;
}
