/* Box: thread attach and exit.
 *
 * Owns: binding a heap to a thread and giving it back. Attach (a thread's first
 * allocation or local free) runs core init, adopts a heap from the pool of
 * exited threads' heaps (or makes one), sets the cache caps, registers the exit
 * destructor and pre-warms. Exit flushes the whole cache back to the heap's
 * slabs, collects remote frees and returns the heap to the pool, so the next
 * thread adopts its slabs: threads created and joined by the thousand leave RSS
 * flat. A free on a thread whose heap is gone is sent as a remote free.
 * After the detach (the exit key's destructor), a thread never attaches again:
 * glibc may run other keys' destructors after ours in the last round, and a
 * heap attached there would never be returned. Such late allocations take a
 * heap from the pool for the one block, under the pool's ownership, and give
 * it straight back (hk_thread_alloc_late); their frees are remote frees into a
 * pooled heap.
 * Who: the fast path's slow paths; the pthread key destructor. */
#ifndef HAKMEM_BOX_THREAD_EXIT_H
#define HAKMEM_BOX_THREAD_EXIT_H

#include "hakmem/box/tls_cache.h"

/* Returns the thread's heap, attaching one if needed; NULL + ENOMEM. */
hk_heap_t *hk_thread_attach(void);
/* An allocation (at most HK_SPAN_MAX) on a thread that has detached; NULL on
 * ENOMEM. */
void *hk_thread_alloc_late(size_t size);
/* Flushes and detaches the calling thread's heap (also the key destructor). */
void hk_thread_detach(void);

#endif /* HAKMEM_BOX_THREAD_EXIT_H */
