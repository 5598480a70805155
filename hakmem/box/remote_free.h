/* Box: remote free.
 *
 * Owns: each slab's remote list (blocks freed by threads other than the slab's
 * heap's thread) and each heap's queue of slabs with remote blocks (rq).
 * A remote freer pushes the block on the slab's list with one CAS on a word
 * that holds the list's head and a queued mark (HK_REMOTE_QUEUED). The freer
 * whose CAS sets the mark links the slab on its heap's queue; the others are
 * done after their CAS. The owner takes the whole queue with one exchange and
 * each slab's list and mark with another, so there is no ABA (pushers only
 * push, the single consumer only takes all) and nothing is lost: a block pushed
 * after the owner's exchange sets the mark again and queues the slab again.
 * A marked slab that is not yet on the queue cannot be collected, so its
 * blocks keep it (and its SuperSlab) in use while its freer still links it:
 * no freer touches a SuperSlab the owner may unmap (superslab.h).
 * Who: hk_remote_free from any thread; hk_remote_collect from the heap's owner.
 * Cost: not on the fast path; a remote free is one CAS, and one more for the
 * first block into a slab since its last collection. */
#ifndef HAKMEM_BOX_REMOTE_FREE_H
#define HAKMEM_BOX_REMOTE_FREE_H

#include <stdatomic.h>

#include "hakmem/core/debug.h"
#include "hakmem/core/superslab.h"

/* hk_remote_free's two steps: the push, which says whether it set the queued
 * mark, and then (if it did) the queueing, which must follow. Inline: the free
 * slow path of every cross-thread free runs them. */
HK_HOT int hk_remote_push(hk_slab_t *s, void *block) {
  uintptr_t old = atomic_load_explicit(&s->remote, memory_order_relaxed);
  do
    hk_next_store(block, (void *)(old & ~HK_REMOTE_QUEUED));
  while (!atomic_compare_exchange_weak_explicit(&s->remote, &old,
                                                (uintptr_t)block | HK_REMOTE_QUEUED,
                                                memory_order_acq_rel, memory_order_relaxed));
  return !(old & HK_REMOTE_QUEUED);
}
void hk_remote_queue(hk_heap_t *heap, hk_slab_t *s);

/* The SuperSlab may be unmapped as soon as this returns: read what you need of
 * it (ss->heap) before. */
HK_HOT void hk_remote_free(hk_ss_t *ss, hk_slab_t *s, void *block) {
  hk_heap_t *heap = ss->heap; /* before the push: from then on ss may be unmapped */
  if (hk_remote_push(s, block))
    hk_remote_queue(heap, s); /* the block pins the slab until it is collected */
}
/* Moves every remotely freed block of heap back into its slab. */
void hk_remote_collect(hk_heap_t *heap);
/* The same if any is waiting: what the owner does before it takes new memory
 * (a refill, a span, an aligned block), so that blocks other threads freed are
 * used again first. */
static inline void hk_remote_collect_pending(hk_heap_t *heap) {
  if (atomic_load_explicit(&heap->rq, memory_order_relaxed))
    hk_remote_collect(heap);
}

#endif /* HAKMEM_BOX_REMOTE_FREE_H */
