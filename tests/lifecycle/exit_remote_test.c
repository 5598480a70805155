/* A worker allocates 200 MB of 1000 B blocks and exits; the main thread frees
 * them all (remote frees into a pooled heap). Without malloc_trim, RSS must come
 * back within 20 MiB of where it started, once the purge delay has passed:
 *   --poke:  the main thread keeps doing slow-path work (allocating a span) and
 *            that work collects the pooled heap and purges it;
 *   (none):  the main thread does nothing but read RSS: the background purger
 *            (HAKMEM_BACKGROUND_PURGE=1 in the test's env) does it.
 * The wait is bounded at 5 s. With the purger asked for, it must exist after
 * the first slow-path call (and only then), and again in a fork child after
 * the child's first slow-path call. */
#include <dirent.h>
#include <pthread.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/lifecycle/lifecycle.h"

#define BLOCK  1000
#define BLOCKS (200L * 1000 * 1000 / BLOCK)

static void **blocks;

static int threads_now(void) {
  DIR *d = opendir("/proc/self/task");
  CHECK(d != NULL);
  int n = 0;
  for (struct dirent *e; (e = readdir(d));)
    n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

/* Counts relative to the start: sanitizers run threads of their own (and the
 * test leaves it out under them, hence unused there). */
__attribute__((unused)) static void check_purger_thread(void) {
  int start = threads_now(); /* init ran (at load): not started by it */
  slow_path_call();
  CHECK_EQ(threads_now(), start + 1);
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    int before = threads_now();
    sleep_ms(20); /* past the maintenance period */
    slow_path_call();
    _exit(threads_now() == before + 1 ? 0 : 3);
  }
  int status;
  CHECK_EQ(waitpid(pid, &status, 0), pid);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void *worker(void *arg) {
  (void)arg;
  fill_blocks(blocks, BLOCKS, BLOCK, 0x5A, BLOCK);
  return NULL;
}

int main(int argc, char **argv) {
  int poke = argc > 1 && strcmp(argv[1], "--poke") == 0;
#ifndef HK_TEST_SANITIZER /* sanitizers start threads of their own meanwhile */
  if (!poke)
    check_purger_thread();
#endif
  hak_free(hak_malloc(1));
  blocks = hak_calloc(BLOCKS, sizeof *blocks);
  CHECK(blocks != NULL);
  long start = rss_bytes();
  pthread_t th;
  CHECK_EQ(pthread_create(&th, NULL, worker, NULL), 0);
  CHECK_EQ(pthread_join(th, NULL), 0);
  long peak = rss_bytes();
  for (long i = 0; i < BLOCKS; i++)
    hak_free(blocks[i]);
  long after = wait_rss_below(start + 20 * MIB, poke);
  fprintf(stderr, "%s: RSS %ld KiB at start, %ld at peak, %ld after the frees and the wait\n",
          poke ? "slow-path work" : "background purger", start / KIB, peak / KIB, after / KIB);
  CHECK(peak - start > 150 * MIB);
  if (RSS_CHECKED)
    CHECK(after <= start + 20 * MIB);
  hak_free(blocks);
  return 0;
}
