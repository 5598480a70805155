/* rubyish: the allocation mix of an interpreter with a garbage collector (the kind of
 * load mimalloc-bench's rbstress puts on malloc), in one thread.
 *
 *   rubyish N SEED [LIVE]
 *
 * A heap of LIVE object slots (default 100000). N steps, each creating one object in a
 * random slot (the object it replaces is freed): mostly small strings of 16-128 B, some
 * arrays that grow by realloc (doubling from 32 B up to 16 KiB in steps), a few buffers of
 * 4-256 KiB. Every LIVE steps a "collection" frees a random quarter of the slots in one
 * sweep, as a mark-and-sweep collector does. Every block is written. ops/s counts steps. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_common.h"

static void *make(uint64_t *rng) {
  uint32_t kind = bench_below(rng, 100);
  if (kind < 85) { /* a string */
    size_t size = 16 + bench_below(rng, 113);
    char *s = malloc(size);
    if (s)
      memset(s, 'a' + (int)(size % 26), size);
    return s;
  }
  if (kind < 99) { /* an array that grows */
    size_t size = 32, target = (size_t)32 << bench_below(rng, 10);
    char *a = malloc(size);
    while (a && size < target) {
      char *b = realloc(a, size * 2);
      if (!b) {
        free(a);
        return NULL;
      }
      a = b;
      memset(a + size, 1, size);
      size *= 2;
    }
    return a;
  }
  size_t size = bench_log_size(rng, (size_t)4 << 10, (size_t)256 << 10); /* a buffer */
  char *buf = malloc(size);
  if (buf)
    for (size_t off = 0; off < size; off += 4096)
      buf[off] = 1;
  return buf;
}

int main(int argc, char **argv) {
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: rubyish N SEED [LIVE]\n");
    return 2;
  }
  uint64_t n = bench_arg_u64(argv[1], "N");
  uint64_t rng = bench_seed(bench_arg_u64(argv[2], "SEED"));
  uint64_t live = argc > 3 ? bench_arg_u64(argv[3], "LIVE") : 100000;
  if (live == 0 || live > (1u << 24))
    bench_die("rubyish: LIVE must be in 1..2^24");
  void **heap = calloc(live, sizeof *heap);
  if (heap == NULL)
    bench_die("rubyish: out of memory");
  double t0 = bench_now();
  for (uint64_t i = 0; i < n; i++) {
    uint32_t k = bench_below(&rng, (uint32_t)live);
    free(heap[k]);
    if ((heap[k] = make(&rng)) == NULL)
      bench_die("rubyish: allocation failed");
    if ((i + 1) % live == 0) /* collection: sweep a random quarter */
      for (uint64_t j = 0; j < live; j++)
        if (bench_below(&rng, 4) == 0) {
          free(heap[j]);
          heap[j] = NULL;
        }
  }
  double elapsed = bench_now() - t0;
  for (uint64_t j = 0; j < live; j++)
    free(heap[j]);
  free(heap);
  bench_print_ops((double)n, elapsed);
  return 0;
}
