/* Misuse: each case runs in a child process that must die of SIGABRT after
 * printing exactly "hakmem: <what> at <address>", the address being the one
 * the case passed. The child announces that address first ("addr=0x...") on
 * the same pipe. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hakmem/core/config.h"
#include "hakmem/core/size_class.h"
#include "hakmem/hakmem.h"
#include "tests/check.h"

static void *announce(void *p) {
  fprintf(stderr, "addr=%p\n", p);
  fflush(stderr);
  return p;
}

static void free_foreign(void) {
  static int not_ours;
  hak_free(announce(&not_ours));
}

static void double_free_large(void) {
  void *p = hak_malloc(1 << 20);
  hak_free(p);
  hak_free(announce(p));
}

static void usable_size_foreign(void) {
  static int not_ours;
  (void)hak_usable_size(announce(&not_ours));
}

#if HAKMEM_HEADER_CLASSIDX
static void free_bad_tag(void) {
  unsigned char *p = hak_malloc(64);
  p[15] = 0xFF; /* the byte before p + 16 is not a class */
  hak_free(announce(p + 16));
}
#endif

#if !HAKMEM_BUILD_RELEASE
static void free_interior(void) {
  unsigned char *p = hak_malloc(64);
  p[7] = (unsigned char)hk_class_tag(0); /* looks like a block: only the debug check can tell */
  hak_free(announce(p + 8));
}

static void double_free_small(void) {
  void *p = hak_malloc(100);
  hak_free(p);
  hak_free(announce(p));
}
#endif

static void expect_abort(void (*fn)(void), const char *what) {
  int fds[2];
  CHECK_EQ(pipe(fds), 0);
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], 2);
    fn();
    fprintf(stderr, "returned without aborting\n");
    _exit(0);
  }
  close(fds[1]);
  char out[1024] = {0};
  size_t n = 0;
  ssize_t r;
  while (n < sizeof out - 1 && (r = read(fds[0], out + n, sizeof out - 1 - n)) > 0)
    n += (size_t)r;
  close(fds[0]);
  int status;
  CHECK_EQ(waitpid(pid, &status, 0), pid);
  char want[256], addr[64] = "";
  sscanf(out, "addr=%63s", addr);
  snprintf(want, sizeof want, "hakmem: %s at %s\n", what, addr);
  if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT || !addr[0] || !strstr(out, want)) {
    fprintf(stderr, "expected SIGABRT and \"%s\", got status %#x and:\n%s", want, status, out);
    CHECK(0);
  }
  printf("ok: %s", want);
}

int main(void) {
  hak_free(hak_malloc(1)); /* initialise before forking */
  expect_abort(free_foreign, "free of a pointer hakmem does not own");
  expect_abort(double_free_large, "double free"); /* its mapping waits in the cache */
  expect_abort(usable_size_foreign, "malloc_usable_size of a pointer hakmem does not own");
#if HAKMEM_HEADER_CLASSIDX
  expect_abort(free_bad_tag, "free of an invalid pointer (no block header)");
#endif
#if !HAKMEM_BUILD_RELEASE
  expect_abort(free_interior, "free of an invalid pointer (not a block hakmem handed out)");
  expect_abort(double_free_small, "double free");
#endif
  return 0;
}
