#include "hakmem/core/span.h"

#include "hakmem/core/debug.h"
#include "hakmem/core/stats.h"

void *hk_span_new(hk_heap_t *heap, size_t size, size_t align) {
  HK_ASSERT(align <= HK_SPAN_ALIGN_MAX && !(align & (align - 1)));
  size_t offset = align > HK_SPAN_OFFSET ? align : HK_SPAN_OFFSET;
  /* At least a byte inside the run; under ASan also one after the block, so
   * that an overflow lands in this run's poisoned tail, not the next mapping. */
  size_t end = offset + (size ? size : 1) + HK_ASAN + HK_GUARD_SIZE; /* and a guard page */
  unsigned units = (unsigned)((end + HK_UNIT_SIZE - 1) >> HK_UNIT_SHIFT);
#ifdef HAKMEM_PLANT_SPAN_SHORT_UNIT
  units = (unsigned)((end - offset + HK_UNIT_SIZE - 1) >> HK_UNIT_SHIFT);
#endif
  hk_slab_t *s = hk_units_claim(heap, units, HK_TAG_SPAN, offset);
  if (!s)
    return NULL;
  if (HK_GUARD_SIZE) {
    char *run_end = hk_span_run_end(s);
    s->guard = hk_guard_try(run_end, hk_guard_start(s->base, size ? size : 1, run_end), run_end);
  }
  s->capacity = s->carved = s->used = 1;
#if HK_HDR
  hk_hdr_store(s->base, HK_TAG_SPAN);
#endif
  HK_UNPOISON(s->base, size); /* free units are poisoned */
  hk_stat_large((int64_t)hk_span_usable(s));
  return s->base;
}

void hk_span_free(hk_heap_t *heap, hk_slab_t *s) {
  HK_ASSERT(s->cls == HK_TAG_SPAN && s->used == 1);
  hk_stat_large(-(int64_t)hk_span_usable(s));
  s->used = 0;
  /* Its units may become a slab. */
  hk_guard_open(s->guard, hk_span_run_end(s));
  HK_STAT(heap, slabs_released);
  hk_units_release(heap, s);
}
