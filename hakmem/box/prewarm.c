#include "hakmem/box/prewarm.h"

#include "hakmem/box/refill.h"
#include "hakmem/core/options.h"
#include "hakmem/core/slab.h"

#if HAKMEM_PREWARM_TLS
/* Blocks of slab s that cost no new page: its free list, and the uncarved
 * blocks in pages carving has written. */
static uint32_t resident_blocks(const hk_slab_t *s) {
  return s->nfree + hk_slab_carvable(s, s->capacity - s->carved);
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
