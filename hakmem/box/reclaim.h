/* Box: reclaim.
 *
 * Owns: giving back the memory of heaps that no thread drives: the pooled heaps
 * of exited threads, and idle ones (their owner made no slow-path allocation
 * for a purge delay) that have remote frees waiting, which the maintenance
 * takes over for a moment while their owner is outside (heap busy count 0;
 * an owner entering meanwhile waits) to collect and, when due, trim them. A
 * pooled heap releases an empty slab as soon as it empties (slab.h); its units
 * are kept for the next threads to adopt the heaps, 16 MiB for all pooled
 * heaps together, until the maintenance below purges them when due, and go
 * back at once past that. What remains is making its slabs empty, i.e.
 * collecting the blocks other threads free into it. Whoever holds the pool lock owns the pooled
 * heaps, so:
 *  - a remote free into a pooled heap collects that heap at once if the pool
 *    lock is free (trylock; never waits);
 *  - what a busy lock left behind is collected by the next slow-path
 *    allocation of any thread once the purge delay has passed since the last
 *    maintenance (a global "next maintenance at" time, one winner per period
 *    by CAS; not on remote frees, where a clock read per free cost 48
 *    instructions);
 *  - and, if HAKMEM_BACKGROUND_PURGE=1, by a purger thread every purge delay.
 *    It starts at the first slow-path call after init, never inside init, and
 *    is restarted the same way in a fork child (the child has no copy of it).
 * A live thread's own heap decays too: when its purge time has passed, its
 * next slow-path allocation spills half of each class's cache back to the
 * slabs and trims the heap (every empty slab, even the one kept per class, is
 * released and purged), so a thread that stops using a class gives it back.
 * A thread on the shared registry id then also takes a freed id (heap.h).
 * Who: the slow paths of alloc and free; thread exit. Cost: none on the fast
 * path; a clock read and a compare per slow-path allocation; a load per remote
 * free (is the heap pooled?). */
#ifndef HAKMEM_BOX_RECLAIM_H
#define HAKMEM_BOX_RECLAIM_H

#include "hakmem/box/tls_cache.h"

/* After a remote free into heap: collects it now if it is pooled (keeping
 * errno). The check is inline: every cross-thread free makes it. */
void hk_reclaim_pooled(hk_heap_t *heap);
HK_HOT void hk_reclaim_after_remote_free(hk_heap_t *heap) {
  if (HK_UNLIKELY(atomic_load_explicit(&heap->pooled, memory_order_relaxed)))
    hk_reclaim_pooled(heap);
}
/* The calling thread's slow-path allocation: decay of its cache and heap. */
void hk_reclaim_own(hk_tls_t *t, uint64_t now_ms);
/* A slow-path call: the rate-limited maintenance of the pool. */
void hk_reclaim_tick(uint64_t now_ms);

#endif /* HAKMEM_BOX_RECLAIM_H */
