#include "hakmem/core/heap.h"

#include <errno.h>
#include <pthread.h>

#include "hakmem/core/os.h"
#include "hakmem/core/registry.h"
#include "hakmem/core/stats.h"

/* Heaps live in never-freed metadata chunks; a heap whose thread exited waits
 * in the pool for the next new thread. */
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static hk_heap_t *pool;
static char *meta_cur, *meta_end;
static unsigned heaps_made;
static hk_heap_t *all_heaps;

void hk_heap_pool_lock(void) { pthread_mutex_lock(&pool_lock); }
void hk_heap_pool_unlock(void) { pthread_mutex_unlock(&pool_lock); }

hk_heap_t *hk_heap_acquire(void) {
  hk_heap_t *h = NULL;
  pthread_mutex_lock(&pool_lock);
  if (pool) {
    h = pool;
    pool = h->next_pool;
    h->next_pool = NULL;
    h->pooled = 0;
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

void hk_heap_pool_each(void (*fn)(hk_heap_t *heap, void *arg), void *arg) {
  pthread_mutex_lock(&pool_lock);
  for (hk_heap_t *h = pool; h; h = h->next_pool)
    fn(h, arg);
  pthread_mutex_unlock(&pool_lock);
}

static void pool_push(hk_heap_t *heap) {
  heap->next_pool = pool;
  heap->pooled = 1;
  pool = heap;
}

void hk_heap_release(hk_heap_t *heap) {
  pthread_mutex_lock(&pool_lock);
  pool_push(heap);
  pthread_mutex_unlock(&pool_lock);
}

void hk_heap_pool_after_fork_child(hk_heap_t *keep) {
  for (hk_heap_t *h = all_heaps; h; h = h->next_all)
    if (!h->pooled && h != keep)
      pool_push(h);
  pthread_mutex_unlock(&pool_lock);
}
