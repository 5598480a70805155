#include "hakmem/core/stats.h"

hk_counters_t hk_ctr;

static void note_peak(void) {
  int64_t now = atomic_load_explicit(&hk_ctr.small_bytes, memory_order_relaxed) +
                atomic_load_explicit(&hk_ctr.large_bytes, memory_order_relaxed);
  int64_t peak = atomic_load_explicit(&hk_ctr.peak_bytes, memory_order_relaxed);
  while (now > peak &&
         !atomic_compare_exchange_weak_explicit(&hk_ctr.peak_bytes, &peak, now,
                                                memory_order_relaxed, memory_order_relaxed)) {
  }
}

void hk_stat_blocks(unsigned c, int64_t blocks) {
  HK_CTR_ADD(hk_ctr.cls[c].blocks_out, blocks);
  HK_CTR_ADD(hk_ctr.small_bytes, blocks * (int64_t)hk_class_usable(c));
  if (blocks > 0)
    note_peak();
}

void hk_stat_large(int64_t bytes) {
  HK_CTR_ADD(hk_ctr.large_bytes, bytes);
  if (bytes > 0) {
    HK_CTR_ADD(hk_ctr.large_allocs, 1);
    note_peak();
  } else {
    HK_CTR_ADD(hk_ctr.large_frees, 1);
  }
}
