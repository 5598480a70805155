#include "hakmem/box/tls_cache.h"

#include "hakmem/core/options.h"

__thread hk_tls_t hk_tls __attribute__((tls_model("initial-exec"))) = {.reg_id = HK_REG_NONE};

uint32_t hk_cache_cap(unsigned c) {
  long cap = hk_opt.cache_bytes / (long)hk_class_stride[c];
  /* At least 2 (a spill moves half), so the byte budget holds for the mid
   * classes too: a cache holds at most HAKMEM_CACHE_BYTES per class. */
  return cap < 2 ? 2 : cap > 4096 ? 4096 : (uint32_t)cap;
}

uint32_t hk_refill_batch(unsigned c) {
  uint32_t half = hk_cache_cap(c) / 2;
  long batch = hk_opt.refill_batch; /* once: hak_option_set may change it */
  return batch < (long)half ? (uint32_t)batch : half;
}
