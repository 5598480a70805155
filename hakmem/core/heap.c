#include "hakmem/core/heap.h"

#include <errno.h>
#include <pthread.h>

#include "hakmem/core/debug.h"
#include "hakmem/core/os.h"
#include "hakmem/core/registry.h"
#include "hakmem/core/stats.h"

/* Heaps live in never-freed metadata chunks; a heap whose thread exited waits
 * in the pool for the next new thread. */
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
/* Two pools: heaps with a registry id of their own are handed out first, so a
 * new thread frees on the fast path whenever such a heap is free. */
enum { POOL_UNIQUE, POOL_SHARED, POOLS };
static hk_heap_t *pool[POOLS];
static char *meta_cur, *meta_end;
static unsigned heaps_made;
static hk_heap_t *all_heaps;

void hk_heap_pool_lock(void) { pthread_mutex_lock(&pool_lock); }
void hk_heap_pool_unlock(void) { pthread_mutex_unlock(&pool_lock); }

hk_heap_t *hk_heap_acquire(void) {
  hk_heap_t *h = NULL;
  pthread_mutex_lock(&pool_lock);
  hk_heap_t **from = pool[POOL_UNIQUE] ? &pool[POOL_UNIQUE] : &pool[POOL_SHARED];
  if (*from) {
    h = *from;
    *from = h->next_pool;
    h->next_pool = NULL;
    atomic_store_explicit(&h->pooled, 0, memory_order_relaxed);
    hk_heap_unkeep(h); /* its kept units are its new owner's, purged as any heap's */
  } else {
    size_t need = (sizeof(hk_heap_t) + 63) & ~(size_t)63;
    if ((size_t)(meta_end - meta_cur) < need) {
      char *chunk = hk_os_map_aligned(HK_UNIT_SIZE, hk_os_page_size());
      if (chunk) {
        meta_cur = chunk;
        meta_end = chunk + HK_UNIT_SIZE;
      }
    }
    if ((size_t)(meta_end - meta_cur) >= need) {
      h = (hk_heap_t *)meta_cur;
      meta_cur += need;
      heaps_made++;
      h->next_all = all_heaps;
      all_heaps = h;
      HK_CTR_ADD(hk_ctr.heaps, 1);
      h->reg_id = heaps_made <= HK_REG_MAX_HEAP_ID ? (uint8_t)heaps_made : HK_REG_SS_SHARED;
    } else {
      errno = ENOMEM;
    }
  }
  pthread_mutex_unlock(&pool_lock);
  return h;
}

static void each_pooled(void (*fn)(hk_heap_t *heap, void *arg), void *arg) {
  for (int i = 0; i < POOLS; i++)
    for (hk_heap_t *h = pool[i]; h; h = h->next_pool)
      fn(h, arg);
}

void hk_heap_pool_each(void (*fn)(hk_heap_t *heap, void *arg), void *arg) {
  pthread_mutex_lock(&pool_lock);
  each_pooled(fn, arg);
  pthread_mutex_unlock(&pool_lock);
}

static void each_heap(void (*fn)(hk_heap_t *heap, void *arg), void *arg) {
  for (hk_heap_t *h = all_heaps; h; h = h->next_all)
    fn(h, arg);
}

void hk_heap_all_each(void (*fn)(hk_heap_t *heap, void *arg), void *arg) {
  pthread_mutex_lock(&pool_lock);
  each_heap(fn, arg);
  pthread_mutex_unlock(&pool_lock);
}

int hk_heap_all_try_each(void (*fn)(hk_heap_t *heap, void *arg), void *arg) {
  if (pthread_mutex_trylock(&pool_lock) != 0)
    return 0;
  each_heap(fn, arg);
  pthread_mutex_unlock(&pool_lock);
  return 1;
}

int hk_heap_pool_try_one(hk_heap_t *heap, void (*fn)(hk_heap_t *heap)) {
  if (pthread_mutex_trylock(&pool_lock) != 0)
    return 0;
  int pooled = atomic_load_explicit(&heap->pooled, memory_order_relaxed);
  if (pooled)
    fn(heap);
  pthread_mutex_unlock(&pool_lock);
  return pooled;
}

static void pool_push(hk_heap_t *heap) {
  hk_heap_t **to = &pool[heap->reg_id <= HK_REG_MAX_HEAP_ID ? POOL_UNIQUE : POOL_SHARED];
  heap->next_pool = *to;
  heap->pooled_at = hk_os_now_ms();
  HK_ASSERT(heap->pooled_kept == 0); /* a live heap keeps nothing for the pool */
  atomic_store_explicit(&heap->pooled, 1, memory_order_relaxed);
  *to = heap;
}

int hk_heap_take_free_id(hk_heap_t *heap) {
  if (heap->reg_id <= HK_REG_MAX_HEAP_ID || pthread_mutex_trylock(&pool_lock) != 0)
    return 0;
  /* A pooled heap with an id but no SuperSlab has no registry byte to keep. */
  hk_heap_t **pp = &pool[POOL_UNIQUE];
  while (*pp && (*pp)->all_ss)
    pp = &(*pp)->next_pool;
  hk_heap_t *donor = *pp;
  if (donor) {
    *pp = donor->next_pool;
    heap->reg_id = donor->reg_id;
    donor->reg_id = HK_REG_SS_SHARED;
    donor->next_pool = pool[POOL_SHARED];
    pool[POOL_SHARED] = donor;
    /* Frees of heap's blocks by other threads take the slow path under
     * either value: the change needs no stop. */
    for (hk_ss_t *ss = heap->all_ss; ss; ss = ss->next_ss)
      hk_registry_set(ss, HK_SS_SIZE, heap->reg_id);
  }
  pthread_mutex_unlock(&pool_lock);
  return donor != NULL;
}

void hk_heap_release(hk_heap_t *heap) {
  pthread_mutex_lock(&pool_lock);
  pool_push(heap);
  pthread_mutex_unlock(&pool_lock);
}

/* fork child: a remote free the fork cut short may have pushed its block and
 * marked the slab queued but not linked it on rq; the freer does not exist
 * here to finish. Rebuild the queue from the slabs: every slab with remote
 * blocks is marked and queued, no other. */
static void requeue_remote(hk_heap_t *heap) {
  hk_slab_t *rq = NULL;
  for (hk_ss_t *ss = heap->all_ss; ss; ss = ss->next_ss)
    for (unsigned u = 1; u < HK_UNITS_PER_SS; u++) {
      hk_slab_t *s = &ss->slabs[u];
      uintptr_t head = atomic_load_explicit(&s->remote, memory_order_relaxed) & ~HK_REMOTE_QUEUED;
      atomic_store_explicit(&s->remote, head ? head | HK_REMOTE_QUEUED : 0, memory_order_relaxed);
      if (head) {
        s->qnext = rq;
        rq = s;
      }
    }
  atomic_store_explicit(&heap->rq, rq, memory_order_relaxed);
}

void hk_heap_pool_after_fork_child(hk_heap_t *keep) {
  for (hk_heap_t *h = all_heaps; h; h = h->next_all) {
    if (atomic_load_explicit(&h->busy, memory_order_relaxed) && h != keep) {
      /* Its thread was inside a refill, spill or collect: its lists may be
       * half-changed. Abandoned: never pooled, its memory leaks in this
       * process (remote frees into it only push onto its slabs' lists). */
      HK_ASSERT(!atomic_load_explicit(&h->pooled, memory_order_relaxed));
      continue;
    }
    requeue_remote(h);
    if (!atomic_load_explicit(&h->pooled, memory_order_relaxed) && h != keep)
      pool_push(h);
  }
  pthread_mutex_unlock(&pool_lock);
}
