/* Runs a piece of a test in a child process and hands back what the child wrote
 * to stderr: for checking that a misuse aborts with its one-line message. */
#ifndef HAKMEM_TESTS_CHILD_ABORT_H
#define HAKMEM_TESTS_CHILD_ABORT_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/check.h"

/* Runs fn(arg) in a child with its stderr into msg (cap bytes, NUL-terminated);
 * returns whether the child was killed by SIGABRT. */
static inline int child_aborts(void (*fn)(void *), void *arg, char *msg, size_t cap) {
  int fds[2];
  CHECK_EQ(pipe(fds), 0);
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    dup2(fds[1], 2);
    fn(arg);
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

#endif /* HAKMEM_TESTS_CHILD_ABORT_H */
