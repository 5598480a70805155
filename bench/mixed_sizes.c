/* mixed_sizes: random_mixed over a spread of sizes, 16 B to 64 KiB.
 *
 *   mixed_sizes N SEED [SLOTS]
 *
 * A ring of SLOTS slots (default 4096), N ops: free the picked slot's block if it holds
 * one, else allocate a size drawn log-uniformly by octave from 16 B to 64 KiB (each of the
 * 12 octaves 16-32, 32-64, ..., 32K-64K equally likely, uniform inside it) and write its
 * first byte, one byte per 4 KiB page and its last byte. Small, mid and large paths of the
 * allocator all take part, and blocks of different sizes are freed in random order. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/bench_common.h"

int main(int argc, char **argv) {
  uint64_t n, seed, nslots;
  bench_ring_args(argc, argv, "mixed_sizes", 4096, 1u << 24, &n, &seed, &nslots);
  void **slots = calloc(nslots, sizeof(void *));
  if (slots == NULL) {
    bench_die("mixed_sizes: out of memory");
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
    size_t size = bench_log_size(&rng, 16, 65536);
    volatile unsigned char *p = malloc(size);
    if (p == NULL) {
      bench_die("mixed_sizes: allocation failed");
    }
    for (size_t off = 0; off < size; off += 4096) {
      p[off] = (unsigned char)i;
    }
    p[size - 1] = (unsigned char)i;
    slots[k] = (void *)p;
  }
  double elapsed = bench_now() - t0;
  for (uint64_t k = 0; k < nslots; k++) {
    free(slots[k]);
  }
  free(slots);
  printf("mixed_sizes: N=%llu seed=%llu slots=%llu size=16..65536, %.3f s\n", (unsigned long long)n,
         (unsigned long long)seed, (unsigned long long)nslots, elapsed);
  bench_print_ops((double)n, elapsed);
  return 0;
}
