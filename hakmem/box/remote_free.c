#include "hakmem/box/remote_free.h"

#include "hakmem/core/debug.h"
#include "hakmem/core/stats.h"

void hk_remote_free(hk_ss_t *ss, hk_slab_t *s, void *block) {
  void *old = atomic_load(&s->remote);
  do
    hk_next_store(block, old);
  while (!atomic_compare_exchange_weak(&s->remote, &old, block));
  if (atomic_load(&s->queued) || atomic_exchange(&s->queued, 1))
    return;
  hk_heap_t *heap = ss->heap;
  hk_slab_t *top = atomic_load(&heap->rq);
  do
    s->qnext = top;
  while (!atomic_compare_exchange_weak(&heap->rq, &top, s));
}

void hk_remote_collect(hk_heap_t *heap) {
  hk_slab_t *s = atomic_exchange(&heap->rq, NULL);
  while (s) {
    hk_slab_t *next = s->qnext;
    atomic_store(&s->queued, 0);
    void *b = atomic_exchange(&s->remote, NULL);
    unsigned c = s->cls; /* the slab may be released by its last block */
    int64_t n = 0;
    for (; b; n++) {
      void *nb = hk_next_load(b);
      HK_STAT(heap, remote_frees_collected);
      hk_slab_put(heap, s, b);
      b = nb;
    }
    if (n) {
      hk_stat_blocks(c, -n);
      HK_CTR_ADD(hk_ctr.cls[c].remote_frees, (uint64_t)n);
    }
    s = next;
  }
}
