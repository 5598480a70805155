/* Box: refill and spill.
 *
 * Owns: moving blocks between a heap's slabs and its thread cache in batches.
 * Refill takes a slab's locally freed blocks first, then carves new ones (with
 * the header on, carving writes each block's class byte once; it is never
 * written again), then asks for a new slab. It first collects remote frees if
 * the heap's queue is not empty (one load when it is).
 * Spill puts blocks from the cache back into their slabs when a class's cache
 * reaches its cap, and flushes a whole cache at thread exit.
 * Who: the owning thread, from the fast path's miss and overflow paths,
 * prewarm and thread exit. Cost: amortised over a batch (HAKMEM_REFILL_BATCH). */
#ifndef HAKMEM_BOX_REFILL_H
#define HAKMEM_BOX_REFILL_H

#include "hakmem/box/tls_cache.h"

/* Moves at least n blocks of class c into t's cache (fewer only when memory
 * runs out; 0 with errno = ENOMEM), and up to `limit` when a slab's whole free
 * list can be spliced in at once (O(1), no block touched). Requires
 * n <= limit < t->room[c]. */
uint32_t hk_refill(hk_tls_t *t, unsigned c, uint32_t n, uint32_t limit);
/* Moves up to n blocks of class c from t's cache back to their slabs. */
void hk_spill(hk_tls_t *t, unsigned c, uint32_t n);

#endif /* HAKMEM_BOX_REFILL_H */
