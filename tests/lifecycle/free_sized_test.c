/* free_sized checks its size in debug and hardened builds: a size larger than
 * the block, or one too small to have been requested for it (below the
 * previous class's usable size), aborts naming the misuse and the address.
 * Release builds do not check. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "hakmem/core/config.h"
#include "tests/lifecycle/lifecycle.h"

/* Runs hak_free_sized(malloc(alloc), size) in a child; returns its stderr. */
static int dies(size_t alloc, size_t size, char *msg, size_t cap) {
  int fds[2];
  CHECK_EQ(pipe(fds), 0);
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    dup2(fds[1], 2);
    void *p = hak_malloc(alloc);
    hak_free_sized(p, size);
    _exit(0);
  }
  close(fds[1]);
  size_t len = 0;
  for (ssize_t n; len < cap - 1 && (n = read(fds[0], msg + len, cap - 1 - len)) > 0;)
    len += (size_t)n; /* hk_fatal writes its line in pieces */
  msg[len] = '\0';
  close(fds[0]);
  int status;
  CHECK_EQ(waitpid(pid, &status, 0), pid);
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

int main(void) {
#if HAKMEM_BUILD_RELEASE && !HAKMEM_HARDENED
  puts("skipped: release builds do not check free_sized");
  return 0;
#endif
  char msg[256];
  /* The right sizes pass, at both ends of the class. */
  for (size_t n = 1; n <= 70000; n = n * 3 + 1) {
    void *p = hak_malloc(n);
    hak_free_sized(p, n);
    p = hak_malloc(n);
    hak_free_sized(p, hak_usable_size(p));
  }
  CHECK(dies(100, 5000, msg, sizeof msg));
  CHECK(strstr(msg, "hakmem: invalid free_sized of 0x") != NULL);
  CHECK(strstr(msg, "(a size larger than the block)") != NULL);
  CHECK(dies(1000, 10, msg, sizeof msg));
  fprintf(stderr, "too small: %s", msg);
  CHECK(strstr(msg, "hakmem: invalid free_sized of 0x"));
  CHECK(strstr(msg, "(a size smaller than the block was asked for)"));
  CHECK(dies(30000, 1000, msg, sizeof msg));
  fprintf(stderr, "too small (mid): %s", msg);
  CHECK(strstr(msg, "smaller than the block was asked for"));
  return 0;
}
