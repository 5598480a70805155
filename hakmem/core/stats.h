/* Statistics kept by the slow paths: per-class blocks out of slabs, refills,
 * spills and remote frees; bytes in use and their peak; large blocks. Relaxed
 * atomic adds, once per batch (refill, spill, remote collection) or per large
 * block, so they stay in release builds and cost the fast path nothing.
 * The OS module keeps its own counters (os.h). */
#ifndef HAKMEM_CORE_STATS_H
#define HAKMEM_CORE_STATS_H

#include <stdatomic.h>
#include <stdint.h>

#include "hakmem/core/size_class.h"

typedef struct hk_class_counters {
  _Atomic int64_t blocks_out;
  _Atomic uint64_t refills, spills, remote_frees;
} hk_class_counters_t;

typedef struct hk_counters {
  hk_class_counters_t cls[HK_SLAB_CLASSES]; /* hak_stats_get reports HK_NUM_CLASSES */
  _Atomic int64_t small_bytes, large_bytes, peak_bytes;
  _Atomic uint64_t large_allocs, large_frees, heaps;
} hk_counters_t;

extern hk_counters_t hk_ctr;

#define HK_CTR_ADD(field, n) atomic_fetch_add_explicit(&(field), (n), memory_order_relaxed)

/* `blocks` of class c left (> 0) or came back to (< 0) their slabs. */
void hk_stat_blocks(unsigned c, int64_t blocks);
void hk_stat_large(int64_t bytes);

#endif /* HAKMEM_CORE_STATS_H */
