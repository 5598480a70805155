/* large_cycle: mimalloc-bench's malloc-large kind of load, blocks of 5-25 MiB in turn.
 *
 *   large_cycle N SEED [SLOTS]
 *
 * SLOTS slots (default 20) each hold a block; N times, one slot picked at random gets a new
 * block of a size drawn uniformly from 5 to 25 MiB (allocated before the old one is freed,
 * as unique_ptr::reset does), and every 4 KiB page of it is written. An allocator that gives
 * freed blocks back to the OS faults every page in again; one that keeps too many shows in
 * peak RSS. Besides `ops/s:` it prints the minor page faults (getrusage) per cycle after the
 * slots are first filled: the figure the test and the comparison read. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "bench/bench_common.h"

#define MIB ((size_t)1 << 20)

static void *new_block(uint64_t *rng, unsigned tag) {
  size_t size = 5 * MIB + bench_rand(rng) % (20 * MIB + 1);
  volatile unsigned char *p = malloc(size);
  if (p == NULL)
    bench_die("large_cycle: allocation failed");
  for (size_t off = 0; off < size; off += 4096)
    p[off] = (unsigned char)tag;
  return (void *)p;
}

static long minflt(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_minflt;
}

int main(int argc, char **argv) {
  uint64_t n, seed, nslots;
  bench_ring_args(argc, argv, "large_cycle", 20, 1024, &n, &seed, &nslots);
  void **slots = calloc(nslots, sizeof(void *));
  if (slots == NULL)
    bench_die("large_cycle: out of memory");
  uint64_t rng = bench_seed(seed);
  for (uint64_t k = 0; k < nslots; k++)
    slots[k] = new_block(&rng, (unsigned)k);
  long flt0 = minflt();
  double t0 = bench_now();
  for (uint64_t i = 0; i < n; i++) {
    uint32_t k = bench_below(&rng, (uint32_t)nslots);
    void *p = new_block(&rng, (unsigned)i);
    free(slots[k]);
    slots[k] = p;
  }
  double t1 = bench_now();
  long faults = minflt() - flt0;
  for (uint64_t k = 0; k < nslots; k++)
    free(slots[k]);
  free(slots);
  printf("minflt/cycle: %.1f\n", n ? (double)faults / (double)n : 0.0);
  bench_print_ops((double)n, t1 - t0);
  return 0;
}
