/* The distance between neighbouring blocks of one size class as a program sees
 * it: the smallest gap between SLOT_STRIDE_BLOCKS blocks of n bytes allocated
 * in a row (carved from one slab), through any allocator. For bench/size_fit
 * (malloc) and tests/classes/size_fit_test (hak_malloc). */
#ifndef HAKMEM_BENCH_SLOT_STRIDE_H
#define HAKMEM_BENCH_SLOT_STRIDE_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define SLOT_STRIDE_BLOCKS 16

static inline int slot_stride_cmp(const void *a, const void *b) {
  uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
  return (x > y) - (x < y);
}

/* 0 if an allocation failed (what was allocated is freed). */
static inline size_t slot_stride(void *(*alloc)(size_t), void (*release)(void *), size_t n) {
  uintptr_t a[SLOT_STRIDE_BLOCKS];
  int made = 0;
  while (made < SLOT_STRIDE_BLOCKS && (a[made] = (uintptr_t)alloc(n)) != 0)
    made++;
  size_t stride = SIZE_MAX;
  if (made == SLOT_STRIDE_BLOCKS) {
    qsort(a, SLOT_STRIDE_BLOCKS, sizeof a[0], slot_stride_cmp);
    for (int i = 1; i < SLOT_STRIDE_BLOCKS; i++)
      if (a[i] - a[i - 1] < stride)
        stride = a[i] - a[i - 1];
  }
  for (int i = 0; i < made; i++)
    release((void *)a[i]);
  return made == SLOT_STRIDE_BLOCKS ? stride : 0;
}

#endif /* HAKMEM_BENCH_SLOT_STRIDE_H */
