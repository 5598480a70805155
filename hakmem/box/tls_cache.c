#include "hakmem/box/tls_cache.h"

#include "hakmem/core/options.h"

__thread hk_tls_t hk_tls __attribute__((tls_model("initial-exec"))) = {.reg_id = HK_REG_NONE};

uint32_t hk_cache_cap(unsigned c) {
  long cap = hk_opt.cache_bytes / (long)hk_class_stride[c];
  /* At least 4, so the byte budget mostly holds for the mid classes too (at
   * most 4 blocks, 256 KiB, in a class over HAKMEM_CACHE_BYTES / 4): with 2,
   * a program mixing 16 B-64 KiB refilled and spilled so often that it ran
   * 22 % slower (mixed_sizes 32.9M against 42.1M ops/s; 38.3M with 4). */
  return cap < 4 ? 4 : cap > 4096 ? 4096 : (uint32_t)cap;
}

uint32_t hk_refill_batch(unsigned c) {
  uint32_t half = hk_cache_cap(c) / 2;
  long batch = hk_opt.refill_batch; /* once: hak_option_set may change it */
  return batch < (long)half ? (uint32_t)batch : half;
}
