/* rusage_exec: runs a program and reports its wall time, CPU time and peak RSS.
 *
 *   rusage_exec [-p PRELOAD] RESULT_FILE PROGRAM [ARGS...]
 *
 * compare.py measures every run through this small process rather than forking the
 * program from Python: Linux keeps a process's peak RSS across exec, so a child forked
 * from a 15 MB interpreter would report at least 15 MB. LD_PRELOAD=PRELOAD is set in the
 * program's environment only (this process never runs under the allocator being tested).
 * RESULT_FILE receives one line:
 *   exit=N signal=N wall=SECONDS user=SECONDS sys=SECONDS maxrss_kib=N
 * The exit status of rusage_exec is 0 if the line was written, else 2. */
#define _DEFAULT_SOURCE /* wait4 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double tv_seconds(struct timeval tv) {
  return (double)tv.tv_sec + (double)tv.tv_usec * 1e-6;
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  int arg = 1;
  const char *preload = NULL;
  if (arg + 1 < argc && strcmp(argv[arg], "-p") == 0) {
    preload = argv[arg + 1];
    arg += 2;
  }
  if (argc - arg < 2) {
    fprintf(stderr, "usage: rusage_exec [-p PRELOAD] RESULT_FILE PROGRAM [ARGS...]\n");
    return 2;
  }
  const char *result_path = argv[arg];
  char **child_argv = &argv[arg + 1];

  double t0 = now_seconds();
  pid_t pid = fork();
  if (pid < 0) {
    perror("rusage_exec: fork");
    return 2;
  }
  if (pid == 0) {
    if (preload != NULL && preload[0] != '\0') {
      setenv("LD_PRELOAD", preload, 1);
    } else {
      unsetenv("LD_PRELOAD");
    }
    execvp(child_argv[0], child_argv);
    fprintf(stderr, "rusage_exec: cannot run %s: %s\n", child_argv[0], strerror(errno));
    _exit(127);
  }
  int status = 0;
  struct rusage ru;
  while (wait4(pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) {
      perror("rusage_exec: wait4");
      return 2;
    }
  }
  double wall = now_seconds() - t0;

  FILE *out = fopen(result_path, "w");
  if (out == NULL) {
    perror("rusage_exec: result file");
    return 2;
  }
  fprintf(out, "exit=%d signal=%d wall=%.6f user=%.6f sys=%.6f maxrss_kib=%ld minflt=%ld\n",
          WIFEXITED(status) ? WEXITSTATUS(status) : -1, WIFSIGNALED(status) ? WTERMSIG(status) : 0,
          wall, tv_seconds(ru.ru_utime), tv_seconds(ru.ru_stime), ru.ru_maxrss, ru.ru_minflt);
  return fclose(out) == 0 ? 0 : 2;
}
