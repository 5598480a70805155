/* large_blocks: blocks of 64 KiB to 4 MiB, where allocators meet the OS.
 *
 *   large_blocks N SEED [SLOTS]
 *
 * A ring of SLOTS slots (default 64), N ops: free the picked slot's block if it holds one,
 * else allocate a size drawn log-uniformly by octave from 64 KiB to 4 MiB and write one
 * byte per 4 KiB page (so every page is faulted in: an allocator that unmaps and remaps
 * pays here, one that keeps too much shows in peak RSS). */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/bench_common.h"

int main(int argc, char **argv) {
  uint64_t n, seed, nslots;
  bench_ring_args(argc, argv, "large_blocks", 64, 1u << 16, &n, &seed, &nslots);
  void **slots = calloc(nslots, sizeof(void *));
  if (slots == NULL) {
    bench_die("large_blocks: out of memory");
  }
  uint64_t rng = bench_seed(seed);
  double t0 = bench_now();
  for (uint64_t i = 0; i < n; i++) {
    uint32_t k = bench_below(&rng, (uint32_t)nslots);
    if (slots[k] != NULL) {
      free(slots[k]);
      slots[k] = NULL;
      continue;
    }
    size_t size = bench_log_size(&rng, (size_t)64 << 10, (size_t)4 << 20);
    volatile unsigned char *p = malloc(size);
    if (p == NULL) {
      bench_die("large_blocks: allocation failed");
    }
    for (size_t off = 0; off < size; off += 4096) {
      p[off] = (unsigned char)i;
    }
    slots[k] = (void *)p;
  }
  double elapsed = bench_now() - t0;
  for (uint64_t k = 0; k < nslots; k++) {
    free(slots[k]);
  }
  free(slots);
  printf("large_blocks: N=%llu seed=%llu slots=%llu size=64K..4M, %.3f s\n", (unsigned long long)n,
         (unsigned long long)seed, (unsigned long long)nslots, elapsed);
  bench_print_ops((double)n, elapsed);
  return 0;
}
