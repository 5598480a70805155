/* A thread cache has a byte budget that includes the mid classes, and decays:
 * a thread that allocates and frees 16 blocks of every mid class (about 5 MiB,
 * all touched) and then only does an occasional slow-path call gives that
 * memory back to the OS after the purge delay: its cache may keep at most
 * 1 MiB. */
#include <pthread.h>
#include <string.h>

#include "tests/lifecycle/lifecycle.h"

#define PER_CLASS 16

static void *worker(void *arg) {
  long *result = arg;
  static void *b[64][PER_CLASS];
  long start = rss_bytes();
  int n = 0;
  for (size_t size = 1536; size <= 65536; size += size / 4, n++)
    for (int i = 0; i < PER_CLASS; i++) {
      b[n][i] = hak_malloc(size);
      CHECK(b[n][i] != NULL);
      memset(b[n][i], 1, size);
    }
  long peak = rss_bytes();
  for (int k = 0; k < n; k++)
    for (int i = 0; i < PER_CLASS; i++)
      hak_free(b[k][i]);
  long after = wait_rss_below(start + 1 * MIB, 1);
  fprintf(stderr, "%d mid classes x %d blocks: RSS +%ld KiB at peak, +%ld KiB after the frees\n", n,
          PER_CLASS, (peak - start) / KIB, (after - start) / KIB);
  CHECK(peak - start > 4 * MIB);
  *result = after - start;
  return NULL;
}

int main(void) {
  hak_free(hak_malloc(1));
  long kept = 0;
  pthread_t th;
  CHECK_EQ(pthread_create(&th, NULL, worker, &kept), 0);
  CHECK_EQ(pthread_join(th, NULL), 0);
  if (RSS_CHECKED)
    CHECK(kept <= 1 * MIB);
  return 0;
}
