/* Box: refill and spill.
 *
 * Owns: moving blocks between a heap's slabs and its thread cache in batches.
 * Refill takes a slab's locally freed blocks first, then carves new ones (with
 * the header on, carving writes each block's class byte once; it is never
 * written again), on over pages carving has written before, and into a new
 * page only for the batch's first block (with the blocks that start in that
 * page), so that a batch faults in no page for blocks it may never hand out;
 * then asks for a new slab. It first collects remote frees if the heap's queue
 * is not empty (one load when it is).
 * Spill puts blocks from the cache back into their slabs when a class's cache
 * reaches its cap, and flushes a whole cache at thread exit.
 * The batch starts at HAKMEM_REFILL_BATCH and doubles with each refill, to
 * half the class's cache, and halves with each spill: a thread whose blocks
 * other threads free (a producer) only ever refills, and takes its blocks in
 * big batches; one that frees its own stays near the option's batch.
 * Who: the owning thread, from the fast path's miss and overflow paths,
 * prewarm and thread exit. Cost: amortised over a batch. */
#ifndef HAKMEM_BOX_REFILL_H
#define HAKMEM_BOX_REFILL_H

#include "hakmem/box/tls_cache.h"

/* Moves n blocks of class c into t's cache, or fewer, at least one, where
 * carving reaches a page it has not written before (0 with errno = ENOMEM
 * when memory runs out), and up to `limit` when a slab's whole free list can
 * be spliced in at once (O(1), no block touched). Requires
 * n <= limit < t->room[c]. */
uint32_t hk_refill(hk_tls_t *t, unsigned c, uint32_t n, uint32_t limit);
/* Moves up to n blocks of class c from t's cache back to their slabs. */
void hk_spill(hk_tls_t *t, unsigned c, uint32_t n);
/* The batch for the owner's next refill of class c (and the one after doubles). */
uint32_t hk_refill_batch_next(hk_heap_t *heap, unsigned c);

#endif /* HAKMEM_BOX_REFILL_H */
