/* Box: remote free.
 *
 * Owns: each slab's remote list (blocks freed by threads other than the slab's
 * heap's thread) and each heap's queue of slabs with remote blocks (rq).
 * A remote freer pushes the block on the slab's list with a CAS, then, if the
 * slab is not queued yet, queues it on its heap (one winner per queueing by an
 * exchange on slab->queued). The owner takes the whole queue with one exchange
 * and each slab's whole list with another, so there is no ABA: pushers only
 * push, the single consumer only takes all. Nothing is lost: the owner clears
 * `queued` before it takes the list, so a block pushed after that queues the
 * slab again (all four operations are sequentially consistent).
 * Each remote free counts itself in flight on the heap from before its first
 * CAS to after its last store, so the owner can tell when no freer can still
 * touch a SuperSlab it wants to unmap (superslab.h).
 * Who: hk_remote_free from any thread; hk_remote_collect from the heap's owner.
 * Cost: not on the fast path; a remote free is two CAS and at most one more. */
#ifndef HAKMEM_BOX_REMOTE_FREE_H
#define HAKMEM_BOX_REMOTE_FREE_H

#include "hakmem/core/superslab.h"

/* The SuperSlab may be unmapped as soon as this returns: read what you need of
 * it (ss->heap) before. */
void hk_remote_free(hk_ss_t *ss, hk_slab_t *s, void *block);
/* Moves every remotely freed block of heap back into its slab. */
void hk_remote_collect(hk_heap_t *heap);

#endif /* HAKMEM_BOX_REMOTE_FREE_H */
