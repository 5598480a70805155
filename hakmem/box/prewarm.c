#include "hakmem/box/prewarm.h"

#include "hakmem/box/refill.h"
#include "hakmem/core/options.h"
#include "hakmem/core/os.h"

#if HAKMEM_PREWARM_TLS
/* Blocks of slab s that cost no new page: its free list, and the uncarved
 * blocks up to the end of the page its carving has reached. */
static uint32_t resident_blocks(const hk_slab_t *s) {
  if (s->carved == 0)
    return s->nfree; /* its first page was never touched */
  size_t stride = hk_class_stride[s->cls];
  uintptr_t next = (uintptr_t)s->base + (uintptr_t)s->carved * stride;
  uintptr_t page_end = (next + hk_os_page_size() - 1) & ~(uintptr_t)(hk_os_page_size() - 1);
  uint32_t carvable = (uint32_t)((page_end - next) / stride);
  if (carvable > s->capacity - s->carved)
    carvable = s->capacity - s->carved;
  return s->nfree + carvable;
}
#endif

void hk_prewarm(hk_tls_t *t) {
#if HAKMEM_PREWARM_TLS
  for (unsigned c = 0; c < HK_TINY_CLASSES; c++) {
    const hk_slab_t *s = t->heap->partial[c];
    uint32_t n = (uint32_t)hk_opt.prewarm_count;
    if (!s)
      continue;
    if (n >= t->room[c])
      n = t->room[c] - 1;
    uint32_t have = resident_blocks(s);
    if (n > have)
      n = have;
    if (n > 0 && hk_refill(t, c, n, n) == 0)
      return; /* out of memory: the first allocation will say so */
  }
#else
  (void)t;
#endif
}
