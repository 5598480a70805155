#include "hakmem/box/remote_free.h"

#include "hakmem/core/debug.h"
#include "hakmem/core/misuse.h"
#include "hakmem/core/stats.h"
#include "hakmem/core/slab.h"
#include "hakmem/core/span.h"

void hk_remote_queue(hk_heap_t *heap, hk_slab_t *s) {
  hk_slab_t *top = atomic_load_explicit(&heap->rq, memory_order_relaxed);
  do
    s->qnext = top;
  while (!atomic_compare_exchange_weak_explicit(&heap->rq, &top, s, memory_order_release,
                                                memory_order_relaxed));
}

void hk_remote_collect(hk_heap_t *heap) {
  hk_slab_t *s = atomic_exchange_explicit(&heap->rq, NULL, memory_order_acquire);
  while (s) {
    hk_slab_t *next = s->qnext; /* before the exchange: a freer may queue s again after it */
    /* acq_rel: the blocks' links in, the read of qnext out to the next queuer. */
    void *b =
        (void *)(atomic_exchange_explicit(&s->remote, 0, memory_order_acq_rel) & ~HK_REMOTE_QUEUED);
    unsigned c = s->cls; /* the slab may be released by its last block */
    if (c == HK_TAG_SPAN) {
      if (b)
        hk_span_free(heap, s);
      s = next;
      continue;
    }
    uint32_t n = 0;
    void *tail = b;
    /* One read pass to count and find the tail; the list joins the slab's free
     * list whole. It can hold at most the blocks out of the slab: one more means
     * a block was freed twice by other threads (the list then has a cycle). */
    for (void *nb = b; nb; nb = hk_next_load(nb)) {
#if HAKMEM_HARDENED
      if (!hk_slab_has_block(s, nb))
        hk_fatal("corrupt remote free list (a write into a freed block?): next block", nb);
#endif
      tail = nb;
      if (++n > s->used) {
        hk_misuse("double free", nb, "freed again by another thread", c, 0);
        n = 0; /* going on: the list is dropped (leaked) */
        break;
      }
    }
#ifdef HAKMEM_PLANT_REMOTE_DROPS_LAST
    for (void *q = b; n > 1; q = hk_next_load(q))
      if (hk_next_load(q) == tail && (tail = q, n--, 1))
        break;
#endif
    if (n) {
      hk_slab_put_list(heap, s, b, tail, n);
      hk_stat_blocks(&heap->ctr, c, -(int64_t)n);
      if (c < HK_NUM_CLASSES)
        HK_CTR_BUMP(heap->ctr.remote_frees[c], n);
    }
    s = next;
  }
}
