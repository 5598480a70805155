/* size_fit: how much memory an allocator gives and takes per request (run under
 * LD_PRELOAD; no clock).
 *
 *   size_fit table              per request size: malloc_usable_size and the slot
 *                               stride (smallest gap between 16 blocks in a row)
 *   size_fit mix MIX N SEED     N live blocks of a size mix, each page touched:
 *                               requested, usable and RSS bytes per block
 *
 * MIX is `mixed` (bench/mixed_sizes: log-uniform by octave, 16 B to 64 KiB) or
 * `random` (bench/random_mixed's sizes 16, 64, 128, 256, 512, 1024, 4096, in
 * equal numbers). The README's size-class table comes from this. */
#define _GNU_SOURCE

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench_common.h"
#include "bench/slot_stride.h"

/* slot_stride through malloc: the one under LD_PRELOAD. */
static size_t malloc_stride(size_t n) {
  size_t stride = slot_stride(malloc, free, n);
  if (!stride)
    bench_die("size_fit: allocation failed");
  return stride;
}

static void table(void) {
  printf("| request | usable | stride |\n|---:|---:|---:|\n");
  for (size_t pow2 = 16; pow2 <= 4096; pow2 *= 2) {
    size_t sizes[2] = {pow2, pow2 / 2 * 3};
    for (int k = 0; k < (pow2 > 16 && pow2 < 4096 ? 2 : 1); k++) {
      void *p = malloc(sizes[k]);
      size_t usable = malloc_usable_size(p);
      free(p);
      printf("| %zu | %zu | %zu |\n", sizes[k], usable, malloc_stride(sizes[k]));
    }
  }
}

static size_t rss_bytes(void) {
  unsigned long size = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f == NULL)
    bench_die("size_fit: cannot open /proc/self/statm");
  int fields = fscanf(f, "%lu %lu", &size, &resident);
  fclose(f);
  if (fields != 2)
    bench_die("size_fit: cannot read /proc/self/statm");
  return resident * (size_t)sysconf(_SC_PAGESIZE);
}

static void mix(const char *name, uint64_t n, uint64_t seed) {
  static const size_t random_sizes[] = {16, 64, 128, 256, 512, 1024, 4096};
  int mixed = strcmp(name, "mixed") == 0;
  if (!mixed && strcmp(name, "random") != 0)
    bench_die("size_fit: MIX is mixed or random");
  void **blocks = malloc(n * sizeof(void *));
  size_t *sizes = malloc(n * sizeof(size_t));
  if (blocks == NULL || sizes == NULL)
    bench_die("size_fit: out of memory");
  uint64_t rng = bench_seed(seed);
  for (uint64_t i = 0; i < n; i++)
    sizes[i] = mixed ? bench_log_size(&rng, 16, 65536) : random_sizes[i % 7];
  size_t before = rss_bytes(), requested = 0, usable = 0;
  for (uint64_t i = 0; i < n; i++) {
    volatile unsigned char *p = malloc(sizes[i]);
    if (p == NULL)
      bench_die("size_fit: allocation failed");
    for (size_t off = 0; off < sizes[i]; off += 4096)
      p[off] = 1;
    p[sizes[i] - 1] = 1;
    blocks[i] = (void *)p;
    requested += sizes[i];
    usable += malloc_usable_size(blocks[i]);
  }
  size_t rss = rss_bytes() - before;
  printf("%s N=%llu seed=%llu: requested %.1f B/block, usable %.1f B/block (+%.1f%%), "
         "RSS %.1f B/block (+%.1f%% over requested)\n",
         name, (unsigned long long)n, (unsigned long long)seed, (double)requested / (double)n,
         (double)usable / (double)n, 100.0 * ((double)usable / (double)requested - 1),
         (double)rss / (double)n, 100.0 * ((double)rss / (double)requested - 1));
  for (uint64_t i = 0; i < n; i++)
    free(blocks[i]);
  free(blocks);
  free(sizes);
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "table") == 0)
    table();
  else if (argc == 5 && strcmp(argv[1], "mix") == 0)
    mix(argv[2], bench_arg_u64(argv[3], "N"), bench_arg_u64(argv[4], "SEED"));
  else {
    fprintf(stderr, "usage: size_fit table | size_fit mix mixed|random N SEED\n");
    return 2;
  }
  return 0;
}
