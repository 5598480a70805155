/* span_churn: many blocks of 64 KiB-1 MiB live at once, one replaced per operation.
 *
 *   span_churn N SEED [SLOTS]
 *
 * SLOTS slots (default 4000) each hold a block of a size drawn uniformly from 64 KiB to
 * 1 MiB; N times, one slot picked at random is freed and gets a new block, whose first
 * byte is written (one page: the allocator's search is what is measured, not page
 * faults). A program holding thousands of such buffers (a cache, a pool of I/O buffers)
 * sees this; an allocator that searches every region for room slows down as the slots
 * grow. The fast-path guard counts its instructions per operation with callgrind
 * (tests/fastpath, probe span_churn). */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/bench_common.h"

#define KIB ((size_t)1 << 10)

static void *new_block(uint64_t *rng) {
  size_t size = 64 * KIB + bench_below(rng, (uint32_t)(960 * KIB + 1));
  volatile unsigned char *p = malloc(size);
  if (p == NULL)
    bench_die("span_churn: allocation failed");
  p[0] = 1;
  return (void *)p;
}

int main(int argc, char **argv) {
  uint64_t n, seed, nslots;
  bench_ring_args(argc, argv, "span_churn", 4000, 1 << 20, &n, &seed, &nslots);
  void **slots = calloc(nslots, sizeof(void *));
  if (slots == NULL)
    bench_die("span_churn: out of memory");
  uint64_t rng = bench_seed(seed);
  for (uint64_t k = 0; k < nslots; k++)
    slots[k] = new_block(&rng);
  double t0 = bench_now();
  for (uint64_t i = 0; i < n; i++) {
    uint32_t k = bench_below(&rng, (uint32_t)nslots);
    free(slots[k]);
    slots[k] = new_block(&rng);
  }
  double t1 = bench_now();
  for (uint64_t k = 0; k < nslots; k++)
    free(slots[k]);
  free(slots);
  bench_print_ops((double)n, t1 - t0);
  return 0;
}
