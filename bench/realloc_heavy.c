/* realloc_heavy: blocks that grow (and sometimes shrink) by realloc, like growing buffers.
 *
 *   realloc_heavy N SEED [SLOTS [MAXSIZE]]
 *
 * A ring of SLOTS slots (default 256), N ops. An op picks a slot at random: an empty slot
 * gets malloc(16..64); a block that reached MAXSIZE (default 65536) is freed; any other
 * block is realloc'ed, one time in four to half its size (at least 16 B), otherwise to 1.5-2.5
 * times it (capped at MAXSIZE). Each block carries a tag in its first and last byte; realloc must
 * keep the first byte and, when growing, the old last byte (a mismatch exits 1).
 * ops/s counts all three kinds of op. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/bench_common.h"

int main(int argc, char **argv) {
  if (argc < 3 || argc > 5) {
    fprintf(stderr, "usage: realloc_heavy N SEED [SLOTS [MAXSIZE]]\n");
    return 2;
  }
  uint64_t n = bench_arg_u64(argv[1], "N");
  uint64_t seed = bench_arg_u64(argv[2], "SEED");
  uint64_t nslots = argc > 3 ? bench_arg_u64(argv[3], "SLOTS") : 256;
  uint64_t max_size = argc > 4 ? bench_arg_u64(argv[4], "MAXSIZE") : 65536;
  if (nslots == 0 || nslots > (1u << 24) || max_size < 64 || max_size > (1u << 30)) {
    bench_die("realloc_heavy: need SLOTS in 1..2^24 and MAXSIZE in 64..2^30");
  }
  unsigned char **slots = calloc(nslots, sizeof(unsigned char *));
  size_t *sizes = calloc(nslots, sizeof(size_t));
  if (slots == NULL || sizes == NULL) {
    bench_die("realloc_heavy: out of memory");
  }
  uint64_t rng = bench_seed(seed);
  uint64_t reallocs = 0;
  uint64_t bad = 0;
  double t0 = bench_now();
  for (uint64_t i = 0; i < n; i++) {
    uint32_t k = bench_below(&rng, (uint32_t)nslots);
    unsigned char tag = (unsigned char)(k * 31 + 7);
    unsigned char *p = slots[k];
    size_t size = sizes[k];
    if (p == NULL) {
      size = 16 + bench_below(&rng, 49);
      p = malloc(size);
      if (p == NULL) {
        bench_die("realloc_heavy: allocation failed");
      }
    } else if (size >= max_size) {
      bad += p[0] != tag;
      free(p);
      slots[k] = NULL;
      continue;
    } else {
      size_t new_size;
      if (bench_below(&rng, 4) == 0) {
        new_size = size / 2 > 16 ? size / 2 : 16;
      } else {
        new_size = size + size / 2 + bench_below(&rng, (uint32_t)size + 1);
        if (new_size > max_size) {
          new_size = (size_t)max_size;
        }
      }
      unsigned char *q = realloc(p, new_size);
      if (q == NULL) {
        bench_die("realloc_heavy: realloc failed");
      }
      bad += q[0] != tag;
      if (new_size > size) {
        bad += q[size - 1] != (unsigned char)~tag;
      }
      p = q;
      size = new_size;
      reallocs++;
    }
    p[0] = tag;
    p[size - 1] = (unsigned char)~tag;
    slots[k] = p;
    sizes[k] = size;
  }
  double elapsed = bench_now() - t0;
  for (uint64_t k = 0; k < nslots; k++) {
    free(slots[k]);
  }
  free(slots);
  free(sizes);
  printf("realloc_heavy: N=%llu seed=%llu slots=%llu max=%llu, %llu reallocs, %.3f s\n",
         (unsigned long long)n, (unsigned long long)seed, (unsigned long long)nslots,
         (unsigned long long)max_size, (unsigned long long)reallocs, elapsed);
  if (bad != 0) {
    fprintf(stderr, "realloc_heavy: %llu tag mismatches\n", (unsigned long long)bad);
    return 1;
  }
  bench_print_ops((double)n, elapsed);
  return 0;
}
