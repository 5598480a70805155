/* Heaps and their pool.
 *
 * A heap is driven by one thread at a time. Heaps are never freed: when a
 * thread exits its heap goes to a pool and the next new thread adopts it whole,
 * so the owner of a SuperSlab is always a heap and ownership is a pointer
 * compare. The pool lock also guards heap metadata and is taken by the fork
 * handlers. Registry ids (HK_REG_MAX_HEAP_ID of them) go with heaps; heaps made
 * past that share HK_REG_SS_SHARED (their frees take the slow path). The pool
 * hands out heaps with an id first, and a heap on the shared id takes the id
 * of a pooled heap whose SuperSlabs are all gone (hk_heap_take_free_id). */
#ifndef HAKMEM_CORE_HEAP_H
#define HAKMEM_CORE_HEAP_H

#include "hakmem/core/superslab.h"

/* fork child, with the pool locked by the prepare handler: the heaps of the
 * parent's other threads (which do not exist here) go to the pool, except
 * those that were busy (mid-operation) at the fork: they are abandoned. Every
 * heap kept has its remote queue rebuilt (a remote free may have been cut
 * short). Then the lock is released. */
void hk_heap_pool_after_fork_child(hk_heap_t *keep);
/* Runs fn on every heap in the pool, with the pool locked. */
void hk_heap_pool_each(void (*fn)(hk_heap_t *heap, void *arg), void *arg);
/* Runs fn on every heap ever made (pooled or not) if the pool lock is free
 * now (returns 1), else nothing (0). */
int hk_heap_all_try_each(void (*fn)(hk_heap_t *heap, void *arg), void *arg);
/* The same, waiting for the pool lock: for readers of what every heap holds
 * (hak_stats_get's counters), not for anything that may run under the lock. */
void hk_heap_all_each(void (*fn)(hk_heap_t *heap, void *arg), void *arg);
/* Runs fn on heap if the pool lock is free now and heap is pooled under it
 * (returns 1); the lock makes the caller the heap's owner meanwhile. */
int hk_heap_pool_try_one(hk_heap_t *heap, void (*fn)(hk_heap_t *heap));

/* Owner of a heap on the shared registry id: takes the id of a pooled heap
 * that has no SuperSlab left (that heap goes on the shared id) and marks its
 * own SuperSlabs with it. Whether it did (never waits for the pool lock). */
int hk_heap_take_free_id(hk_heap_t *heap);
/* Heaps: a new heap or one from the pool of heaps whose thread exited. */
hk_heap_t *hk_heap_acquire(void);
void hk_heap_release(hk_heap_t *heap);
/* Global lock for the heap pool and metadata (slow paths, fork handlers). */
void hk_heap_pool_lock(void);
void hk_heap_pool_unlock(void);

#endif /* HAKMEM_CORE_HEAP_H */
