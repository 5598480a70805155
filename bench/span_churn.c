/* span_churn: many blocks of 64 KiB-1 MiB live at once, one replaced per operation.
 *
 *   span_churn N SEED [SLOTS [SMALL]]
 *
 * SLOTS slots (default 4000) each hold a block of a size drawn uniformly from 64 KiB to
 * 1 MiB; N times, one slot picked at random is freed and gets a new block, whose first
 * byte is written (one page: the allocator's search is what is measured, not page
 * faults), and, with SMALL, SMALL blocks of one small size (32 to 512 B, the next size
 * each operation) are allocated, written and freed. A program holding thousands of such
 * buffers (a cache, a pool of I/O buffers) sees this; an allocator that searches every
 * region for room slows down as the slots grow, for its large blocks and for the slabs
 * of its small ones. The fast-path guard counts its instructions per operation with
 * callgrind (tests/fastpath, probe span_churn); tests/pages/span_room_test counts the
 * SuperSlabs a search looks at. */
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
  uint64_t n, seed, nslots, small = 0;
  if (argc == 5) {
    small = bench_arg_u64(argv[4], "SMALL");
    argc = 4;
  }
  bench_ring_args(argc, argv, "span_churn", 4000, 1 << 20, &n, &seed, &nslots);
  void **blocks = small ? calloc(small, sizeof(void *)) : NULL;
  if (small && blocks == NULL)
    bench_die("span_churn: out of memory");
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
    for (uint64_t j = 0; j < small; j++) {
      volatile unsigned char *p = malloc(32 + 16 * (i % 31));
      if (p == NULL)
        bench_die("span_churn: allocation failed");
      p[0] = 1;
      blocks[j] = (void *)p;
    }
    for (uint64_t j = 0; j < small; j++)
      free(blocks[j]);
  }
  double t1 = bench_now();
  for (uint64_t k = 0; k < nslots; k++)
    free(slots[k]);
  free(slots);
  free(blocks);
  bench_print_ops((double)n, t1 - t0);
  return 0;
}
