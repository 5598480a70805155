/* Heaps and their pool.
 *
 * A heap is driven by one thread at a time. Heaps are never freed: when a
 * thread exits its heap goes to a pool and the next new thread adopts it whole,
 * so the owner of a SuperSlab is always a heap and ownership is a pointer
 * compare. The pool lock also guards heap metadata and is taken by the fork
 * handlers. */
#ifndef HAKMEM_CORE_HEAP_H
#define HAKMEM_CORE_HEAP_H

#include "hakmem/core/superslab.h"

/* fork child, with the pool locked by the prepare handler: the heaps of the
 * parent's other threads (which do not exist here) go to the pool, then the
 * lock is released. */
void hk_heap_pool_after_fork_child(hk_heap_t *keep);
/* Runs fn on every heap in the pool, with the pool locked. */
void hk_heap_pool_each(void (*fn)(hk_heap_t *heap, void *arg), void *arg);

/* Heaps: a new heap or one from the pool of heaps whose thread exited. */
hk_heap_t *hk_heap_acquire(void);
void hk_heap_release(hk_heap_t *heap);
/* Global lock for the heap pool and metadata (slow paths, fork handlers). */
void hk_heap_pool_lock(void);
void hk_heap_pool_unlock(void);

#endif /* HAKMEM_CORE_HEAP_H */
