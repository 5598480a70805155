#include "hakmem/box/remote_free.h"

#include "hakmem/core/debug.h"
#include "hakmem/core/misuse.h"
#include "hakmem/core/stats.h"
#include "hakmem/core/slab.h"
#include "hakmem/core/span.h"

void hk_remote_free(hk_ss_t *ss, hk_slab_t *s, void *block) {
  /* Our block keeps the SuperSlab mapped until the CAS hands it over; from
   * then on only the in-flight count does (superslab.h). */
  hk_heap_t *heap = ss->heap;
  atomic_fetch_add(&heap->remote_inflight, 1);
  void *old = atomic_load(&s->remote);
  do
    hk_next_store(block, old);
  while (!atomic_compare_exchange_weak(&s->remote, &old, block));
  if (!atomic_load(&s->queued) && !atomic_exchange(&s->queued, 1)) {
    hk_slab_t *top = atomic_load(&heap->rq);
    do
      s->qnext = top;
    while (!atomic_compare_exchange_weak(&heap->rq, &top, s));
  }
  atomic_fetch_sub_explicit(&heap->remote_inflight, 1, memory_order_release);
}

void hk_remote_collect(hk_heap_t *heap) {
  hk_slab_t *s = atomic_exchange(&heap->rq, NULL);
  while (s) {
    hk_slab_t *next = s->qnext;
    atomic_store(&s->queued, 0);
    void *b = atomic_exchange(&s->remote, NULL);
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
      hk_stat_blocks(c, -(int64_t)n);
      HK_CTR_ADD(hk_ctr.cls[c].remote_frees, n);
    }
    s = next;
  }
}
