/* Large blocks in turn (mimalloc-bench's malloc-large kind: 5-25 MiB, a random one
 * replaced each cycle, every page written) must not fault every page in again: freed
 * mappings are kept and reused. A fresh block of that range faults in 3,840 pages on
 * average; the bound below is a generous fixed one (the figure is printed). The cache
 * budget is set to 64 MiB, a few blocks' worth. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>

#include "hakmem/core/options.h"
#include "hakmem/hakmem.h"
#include "tests/check.h"
#include "tests/statm.h"

#define MIB    ((size_t)1 << 20)
#define SLOTS  8
#define CYCLES 60
/* Under TSan its shadow memory (4 bytes per byte written) faults in along with the
 * pages, and again when a range moves (mremap). */
#if defined(__SANITIZE_THREAD__)
#define SHADOW_FACTOR 4
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SHADOW_FACTOR 4
#endif
#endif
#ifndef SHADOW_FACTOR
#define SHADOW_FACTOR 1
#endif
/* Faults per cycle allowed: a quarter of a fresh block's pages. */
#define MAX_FAULTS_PER_CYCLE (960 * SHADOW_FACTOR)

static uint64_t rng = 88172645463325252ull;

static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static void *new_block(unsigned tag) {
  size_t size = 5 * MIB + next() % (20 * MIB + 1);
  volatile unsigned char *p = hak_malloc(size);
  CHECK(p != NULL);
  for (size_t off = 0; off < size; off += 4096)
    p[off] = (unsigned char)tag;
  return (void *)p;
}

int main(void) {
  hak_free(hak_malloc(1)); /* init, so the option below is not read over */
  /* A budget of a few blocks: the cycle must still reuse them, not give them back. */
  hk_opt.large_cache_bytes = 64 * MIB;
  void *slots[SLOTS];
  for (unsigned k = 0; k < SLOTS; k++)
    slots[k] = new_block(k);
  long before = minor_faults();
  for (unsigned i = 0; i < CYCLES; i++) {
    unsigned k = (unsigned)(next() % SLOTS);
    void *p = new_block(i);
    hak_free(slots[k]);
    slots[k] = p;
  }
  double per_cycle = (double)(minor_faults() - before) / CYCLES;
  for (unsigned k = 0; k < SLOTS; k++)
    hak_free(slots[k]);
  printf("large_cycle_test: %.1f minor faults per cycle (bound %d)\n", per_cycle,
         MAX_FAULTS_PER_CYCLE);
  fflush(stdout);
  CHECK(per_cycle <= MAX_FAULTS_PER_CYCLE);
  return 0;
}
