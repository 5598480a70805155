/* For stats_json_test.py: keeps 1000 blocks of 100 B and one of 4 MiB, all
 * written (so resident, as the OS counts it, covers them), writes
 * hak_stats_json to stdout (or, with an argument, to a closed stream, which
 * must fail), and exits; HAKMEM_SHOW_STATS=json adds the report at exit. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hakmem/hakmem.h"

static void *keep[1001];

int main(int argc, char **argv) {
  (void)argv;
  for (int i = 0; i < 1000; i++)
    if (!(keep[i] = hak_malloc(100)))
      return 1;
  if (!(keep[1000] = hak_malloc(4 << 20)))
    return 1;
  for (int i = 0; i < 1000; i++)
    memset(keep[i], 1, 100);
  memset(keep[1000], 1, 4 << 20);
  if (argc > 1) {
    FILE *full = fopen("/dev/full", "w");
    if (!full)
      return 1;
    setvbuf(full, NULL, _IONBF, 0);
    int rc = hak_stats_json(full);
    printf("rc=%d errno=%s\n", rc, rc ? (errno == ENOSPC ? "ENOSPC" : "other") : "-");
    fclose(full);
    errno = 0;
    rc = hak_stats_json(NULL);
    printf("null: rc=%d einval=%d\n", rc, errno == EINVAL);
    return 0;
  }
  if (hak_stats_json(stdout) != 0)
    return 1;
  printf("version %s\n", HAKMEM_VERSION);
  return 0;
}
