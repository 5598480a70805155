/* A large mapping ends on a page, and the rest of its last 2 MiB chunk may be
 * mapped by someone else: hak_owns says such memory is not hakmem's, and a free
 * of a pointer there is reported (abort with the message), never a crash
 * reading the unmapped page before it. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hakmem/hakmem.h"
#include "tests/check.h"

#define MIB ((size_t)1 << 20)

int main(void) {
  char *p = hak_malloc(MIB);
  CHECK(p != NULL);
  /* The block starts a header (64 B) into its mapping of whole pages (under
   * ASan with a byte more); one page after that stays unmapped. */
  char *end = (char *)(((uintptr_t)p + MIB + 1 + 4095) & ~(uintptr_t)4095);
  char *foreign = end + 4096;
  CHECK((uintptr_t)foreign >> 21 == (uintptr_t)p >> 21); /* the same chunk */
  void *q = mmap(foreign, 4096, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  CHECK(q == foreign);
  CHECK(hak_owns(p + MIB - 1));
  CHECK(!hak_owns(foreign));
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    hak_free(foreign);
    _exit(0); /* not reported: the test fails */
  }
  int status;
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGABRT);
  munmap(foreign, 4096);
  hak_free(p);
  puts("foreign_tail_test: ok");
  return 0;
}
