#include "hakmem/box/refill.h"

#include "hakmem/box/remote_free.h"
#include <string.h>

#include "hakmem/core/debug.h"
#include "hakmem/core/options.h"
#include "hakmem/core/stats.h"
#include "hakmem/core/slab.h"

uint32_t hk_refill(hk_tls_t *t, unsigned c, uint32_t n, uint32_t limit) {
  hk_heap_t *heap = t->heap;
  const unsigned tag = hk_class_tag(c);
  (void)tag; /* the header byte: not in builds without it */
  HK_ASSERT(c < HK_NUM_CLASSES && limit < t->room[c]);
  if (n > limit) /* caps set before init read the options may be smaller */
    n = limit;
  hk_remote_collect_pending(heap);
  const size_t stride = hk_class_stride[c];
  void *head = t->head[c];
  uint32_t got = 0;
  while (got < n) {
    hk_slab_t *s = heap->partial[c];
    if (!s && !(s = hk_slab_new(heap, c)))
      break;
    if (s->free && s->nfree <= limit - got) { /* the whole list, in O(1) */
      hk_next_store(s->free_tail, head);
      head = s->free;
      got += s->nfree;
      s->used += s->nfree;
      s->free = NULL;
      s->nfree = 0;
    }
    while (got < n && s->free) {
      void *b = s->free;
      s->free = hk_next_load(b);
      s->nfree--;
      hk_next_store(b, head);
      head = b;
      got++;
      s->used++;
    }
    uint32_t carve = s->capacity - s->carved;
    uint32_t want = got < n ? n - got : 0; /* a splice may already have brought n */
    if (carve > want)
      carve = want;
    char *b = s->base + (size_t)s->carved * stride;
    int page_bound = 0;
    if (carve) {
      /* Carving writes into each block, so a batch carved at once would fault
       * in pages for blocks the thread may never use (8 for a 1 KiB class's
       * batch): it goes on over pages carving has written, and into a new one
       * only for the batch's first block (with the blocks that start there). */
      if (got == 0)
        hk_ss_mark_carved(hk_ss_of(b), b);
      uint32_t fit = hk_slab_carvable(s, carve);
      page_bound = fit < carve; /* the next refill carves on */
      carve = fit;
    }
    for (uint32_t i = 0; i < carve; i++, b += stride) {
#if HK_HDR
      hk_hdr_store(b, HAKMEM_HARDENED ? hk_freed_tag(tag) : tag);
#if HAKMEM_HARDENED
      if (hk_opt.zero_on_free) /* the units may have held blocks before */
        memset(b, 0, hk_class_usable(c));
#endif
#endif
      hk_next_store(b, head);
      head = b;
    }
#ifdef HAKMEM_PLANT_REFILL_LOSES_BLOCK
    if (carve > 1)
      head = hk_next_load(head);
#endif
    s->carved += carve;
    s->used += carve;
    got += carve;
    if (!s->free && s->carved == s->capacity)
      hk_partial_remove(heap, s);
    if (page_bound)
      break;
  }
  t->head[c] = head;
  t->room[c] -= got;
  HK_STAT(heap, refills);
  if (got) {
    hk_stat_blocks(&heap->ctr, c, got);
    HK_CTR_BUMP(heap->ctr.refills[c], 1);
  }
  return got;
}

uint32_t hk_refill_batch_next(hk_heap_t *heap, unsigned c) {
  uint32_t batch = heap->batch[c];
  if (batch < hk_opt.refill_batch) /* also the first time: 0 */
    batch = (uint32_t)hk_opt.refill_batch;
  uint32_t most = hk_cache_cap(c) / 2;
  if (batch > most)
    batch = most;
  heap->batch[c] = (uint16_t)(batch * 2 < most ? batch * 2 : most);
  return batch;
}

void hk_spill(hk_tls_t *t, unsigned c, uint32_t n) {
  hk_heap_t *heap = t->heap;
  heap->batch[c] /= 2; /* hk_refill_batch_next keeps it at the option's batch at least */
  void *p = t->head[c];
  uint32_t moved = 0;
  for (; moved < n && p; moved++) {
    void *next = hk_next_load(p);
    hk_ss_t *ss = hk_ss_of(p);
    HK_ASSERT(ss->heap == heap);
    hk_slab_put(heap, hk_slab_of(ss, p), p);
#ifdef HAKMEM_PLANT_SPILL_PUSHES_TWICE
    if (moved == 0 && n > 1 && hk_slab_of(ss, p)->used > 0)
      hk_slab_put(heap, hk_slab_of(ss, p), p);
#endif
    p = next;
  }
  t->head[c] = p;
  t->room[c] += moved;
  HK_STAT(heap, spills);
  if (moved) {
    hk_stat_blocks(&heap->ctr, c, -(int64_t)moved);
    HK_CTR_BUMP(heap->ctr.spills[c], 1);
  }
}
