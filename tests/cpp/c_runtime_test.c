/* libhakmem.so preloaded under a C program: no C++ runtime is loaded for its
 * operator new (new_fail.cc refers to it weakly), and operator new, called
 * anyway, gives the answers new_delete.c promises when memory runs out:
 * nothrow new returns NULL, new aborts naming why (it cannot throw). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/check.h"

static int mapped(const char *name) {
  FILE *f = fopen("/proc/self/maps", "r");
  CHECK(f != NULL);
  char line[512];
  int found = 0;
  while (fgets(line, sizeof line, f))
    found |= strstr(line, name) != NULL;
  fclose(f);
  return found;
}

int main(void) {
  CHECK(mapped("libhakmem"));
  CHECK(!mapped("libstdc++"));
  CHECK(!mapped("libgcc_s"));

  void *(*new_plain)(size_t) = (void *(*)(size_t))dlsym(RTLD_DEFAULT, "_Znwm");
  void *(*new_nothrow)(size_t, const void *) =
      (void *(*)(size_t, const void *))dlsym(RTLD_DEFAULT, "_ZnwmRKSt9nothrow_t");
  void (*delete_plain)(void *) = (void (*)(void *))dlsym(RTLD_DEFAULT, "_ZdlPv");
  CHECK(new_plain && new_nothrow && delete_plain);
  void *p = new_plain(100);
  CHECK(p != NULL);
  delete_plain(p);
  const size_t huge = SIZE_MAX / 2;
  CHECK(new_nothrow(huge, NULL) == NULL);

  int err[2];
  CHECK(pipe(err) == 0);
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    dup2(err[1], 2);
    new_plain(huge);
    _exit(0);
  }
  close(err[1]);
  char msg[512] = {0};
  size_t len = 0;
  ssize_t n;
  while (len < sizeof msg - 1 && (n = read(err[0], msg + len, sizeof msg - 1 - len)) > 0)
    len += (size_t)n;
  int status = 0;
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
  CHECK(strstr(msg, "operator new out of memory with no C++ runtime") != NULL);
  puts("c_runtime_test: ok");
  return 0;
}
