/* pair_loop: the smallest possible malloc+free loop, for instruction counting.
 *
 *   pair_loop SIZE ITERS
 *
 * ITERS times: p = malloc(SIZE); free(p), with one more block of SIZE live throughout.
 * The pointer escapes through an empty asm, so the compiler cannot drop the pair. compare.py
 * --callgrind runs it under `valgrind --tool=callgrind` at two ITERS values and divides the
 * difference of the instruction counts by the difference of ITERS: start-up and exit cancel out.
 * Built with -DBENCH_HAK (pair_loop_hak) it calls hak_malloc/hak_free directly. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/bench_common.h"

#ifdef BENCH_HAK
#include "hakmem/hakmem.h"
#define PAIR_MALLOC hak_malloc
#define PAIR_FREE   hak_free
#else
#define PAIR_MALLOC malloc
#define PAIR_FREE   free
#endif

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: pair_loop SIZE ITERS\n");
    return 2;
  }
  size_t size = (size_t)bench_arg_u64(argv[1], "SIZE");
  uint64_t iters = bench_arg_u64(argv[2], "ITERS");
  /* One block of the same size stays live across the loop, so the loop's free never
   * empties a page: without it mimalloc, for one, would run its page-retire path on every
   * free, which is not what a program with other live blocks of that size sees. */
  void *anchor = PAIR_MALLOC(size);
  bench_escape(anchor);
  for (uint64_t i = 0; i < iters; i++) {
    void *p = PAIR_MALLOC(size);
    bench_escape(p);
    PAIR_FREE(p);
  }
  PAIR_FREE(anchor);
  return 0;
}
