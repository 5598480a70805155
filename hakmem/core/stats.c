#include "hakmem/core/stats.h"

hk_counters_t hk_ctr;

int64_t hk_stat_peak_at_least(int64_t bytes) {
  int64_t peak = atomic_load_explicit(&hk_ctr.peak_bytes, memory_order_relaxed);
  while (bytes > peak &&
         !atomic_compare_exchange_weak_explicit(&hk_ctr.peak_bytes, &peak, bytes,
                                                memory_order_relaxed, memory_order_relaxed)) {
  }
  return bytes > peak ? bytes : peak;
}

static void note_peak(void) {
  hk_stat_peak_at_least(atomic_load_explicit(&hk_ctr.small_published, memory_order_relaxed) +
                        atomic_load_explicit(&hk_ctr.large_bytes, memory_order_relaxed));
}

void hk_stat_blocks(hk_heap_counters_t *h, unsigned c, int64_t blocks) {
  HK_CTR_BUMP(h->blocks_out[c], blocks);
  HK_CTR_BUMP(h->small_bytes, blocks * (int64_t)hk_class_usable(c));
  int64_t bytes = atomic_load_explicit(&h->small_bytes, memory_order_relaxed);
  int64_t step = bytes - h->published;
  if (step >= HK_STAT_PUBLISH || step <= -HK_STAT_PUBLISH) {
    h->published = bytes;
    HK_CTR_ADD(hk_ctr.small_published, step);
    if (step > 0)
      note_peak();
  }
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
