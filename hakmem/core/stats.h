/* Statistics kept by the slow paths: per-class blocks out of slabs, refills,
 * spills and remote frees; bytes in use and their peak; large blocks. They
 * stay in release builds and cost the fast path nothing.
 * The small-block counters are per heap (hk_heap_counters_t, in each heap),
 * written by whoever holds the heap (its owner, or the pool lock's holder for
 * a pooled one) with relaxed loads and stores: no read-modify-write and no
 * line shared between threads, where process-wide atomic adds cost a
 * cross-core transfer each (6.9 % of xmalloc-test's time went to them).
 * hak_stats_get sums the heaps. The peak sees small bytes through each heap's
 * published figure, moved in steps of HK_STAT_PUBLISH bytes: it may lag the
 * truth by that much per heap. Large blocks keep process-wide atomics (one
 * add per block, and the blocks are large). The OS module keeps its own
 * counters (os.h). */
#ifndef HAKMEM_CORE_STATS_H
#define HAKMEM_CORE_STATS_H

#include <stdatomic.h>
#include <stdint.h>

#include "hakmem/core/size_class.h"

#define HK_STAT_PUBLISH ((int64_t)64 << 10)

typedef struct hk_heap_counters {
  _Atomic int64_t blocks_out[HK_SLAB_CLASSES]; /* hak_stats_get reports HK_NUM_CLASSES */
  _Atomic uint64_t refills[HK_NUM_CLASSES], spills[HK_NUM_CLASSES], remote_frees[HK_NUM_CLASSES];
  _Atomic int64_t small_bytes;
  int64_t published; /* the part of small_bytes in hk_ctr.small_published */
} hk_heap_counters_t;

typedef struct hk_counters {
  _Atomic int64_t small_published, large_bytes, peak_bytes;
  _Atomic uint64_t large_allocs, large_frees, heaps;
} hk_counters_t;

extern hk_counters_t hk_ctr;

#define HK_CTR_ADD(field, n) atomic_fetch_add_explicit(&(field), (n), memory_order_relaxed)

/* A counter of a heap its caller holds: a plain add (the holder is the one writer). */
#define HK_CTR_BUMP(field, n)                                                                      \
  atomic_store_explicit(&(field), atomic_load_explicit(&(field), memory_order_relaxed) + (n),      \
                        memory_order_relaxed)

/* `blocks` of class c left (> 0) or came back to (< 0) the slabs of the heap
 * whose counters h are. */
void hk_stat_blocks(hk_heap_counters_t *h, unsigned c, int64_t blocks);
void hk_stat_large(int64_t bytes);
/* Raises the peak to bytes if it is lower (a report saw that much in use);
 * returns the peak. */
int64_t hk_stat_peak_at_least(int64_t bytes);

#endif /* HAKMEM_CORE_STATS_H */
