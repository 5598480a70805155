/* fork: a remote free interrupted between marking its slab queued and pushing
 * the slab on its heap's queue (the freeing thread does not exist in the
 * child) must not leave that slab's remote list uncollected in the child. The
 * interrupted state is built by hand: a block on the slab's remote list, the
 * slab marked queued, the heap's queue empty. The child must get the block
 * back. */
#include <stdatomic.h>
#include <sys/wait.h>

#include "hakmem/box/tls_cache.h"
#include "hakmem/core/debug.h"
#include "hakmem/core/superslab.h"
#include "tests/lifecycle/lifecycle.h"

#define SIZE 100

int main(void) {
#ifdef HK_TEST_SANITIZER
  puts("skipped: the remote list is built by hand on poisoned memory");
  return 0;
#endif
  void *b = hak_malloc(SIZE);
  CHECK(b != NULL);
  hk_slab_t *s = hk_slab_of(hk_ss_of(b), b);
  hk_next_store(b, NULL);
  /* The freer's push marked the slab queued, and it stopped there. */
  atomic_store(&s->remote, (uintptr_t)b | HK_REMOTE_QUEUED);
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    hak_malloc_trim(0);
    for (int i = 0; i < 100000; i++)
      if (hak_malloc(SIZE) == b)
        _exit(0);
    _exit(3); /* the block never came back */
  }
  int status;
  CHECK_EQ(waitpid(pid, &status, 0), pid);
  fprintf(stderr, "child exit status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  return 0;
}
