#include "hakmem/box/tls_cache.h"

#include "hakmem/core/options.h"

__thread hk_tls_t hk_tls __attribute__((tls_model("initial-exec"))) = {.reg_id = HK_REG_NONE};

uint32_t hk_cache_cap(unsigned c) {
  long cap = hk_opt.cache_bytes / (long)hk_class_stride[c];
  /* At least 8 blocks: a cache that random frees and allocations move up and
   * down reaches its cap or empties after about (cap/2)^2 operations, so the
   * slow path runs four times as often with 4 (mixed_sizes, 16 B-64 KiB: 255M
   * against 237M instructions for 3M operations, callgrind). The floor lets a
   * thread cache 5.1 MiB at most (4 at 4 blocks), 3.6 of it in the mid
   * classes; an owner spills it after the purge delay (box/reclaim.h). */
  return cap < 8 ? 8 : cap > 4096 ? 4096 : (uint32_t)cap;
}
