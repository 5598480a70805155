/* guard_footprint: what live blocks cost in mappings and address space, read from
 * /proc/self/maps (for the hardened build's guard pages, README).
 *
 *   guard_footprint SIZE N
 *
 * Allocates N blocks of SIZE (touching the first byte of each) and prints the lines and
 * bytes /proc/self/maps gained, per block. Run it under LD_PRELOAD. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/bench_common.h"

/* Lines of /proc/self/maps and the bytes they cover. */
static void maps(long *lines, unsigned long long *bytes) {
  FILE *f = fopen("/proc/self/maps", "r");
  unsigned long long lo, hi;
  char rest[4096];
  *lines = 0;
  *bytes = 0;
  if (!f)
    exit(1);
  while (fscanf(f, "%llx-%llx", &lo, &hi) == 2) {
    (*lines)++;
    *bytes += hi - lo;
    if (!fgets(rest, sizeof rest, f))
      break;
  }
  fclose(f);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: guard_footprint SIZE N\n");
    return 2;
  }
  size_t size = (size_t)bench_arg_u64(argv[1], "SIZE");
  uint64_t n = bench_arg_u64(argv[2], "N");
  char **blocks = malloc(n * sizeof *blocks);
  free(malloc(size)); /* initialise, and the first of the size's mappings */
  long lines0, lines1;
  unsigned long long bytes0, bytes1;
  maps(&lines0, &bytes0);
  for (uint64_t i = 0; i < n; i++) {
    if (!(blocks[i] = malloc(size)))
      return 1;
    blocks[i][0] = 1;
  }
  maps(&lines1, &bytes1);
  printf("%llu x malloc(%zu): %ld lines of /proc/self/maps and %.1f MiB of address space; "
         "per block %.3f lines and %.1f KiB\n",
         (unsigned long long)n, size, lines1 - lines0, (double)(bytes1 - bytes0) / 1048576.0,
         (double)(lines1 - lines0) / (double)n, (double)(bytes1 - bytes0) / 1024.0 / (double)n);
  for (uint64_t i = 0; i < n; i++)
    free(blocks[i]);
  free(blocks);
  return 0;
}
