#include "hakmem/box/thread_exit.h"

#include <pthread.h>
#include <string.h>

#include "hakmem/box/core_init.h"
#include "hakmem/box/prewarm.h"
#include "hakmem/box/refill.h"
#include "hakmem/box/remote_free.h"
#include "hakmem/core/debug.h"
#include "hakmem/core/heap.h"
#include "hakmem/core/options.h"
#include "hakmem/core/slab.h"
#include "hakmem/core/span.h"

static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;
static int exit_key_ok;

static void on_thread_exit(void *heap) {
  (void)heap;
  hk_thread_detach();
}

static void make_exit_key(void) {
  exit_key_ok = pthread_key_create(&exit_key, on_thread_exit) == 0;
}

hk_heap_t *hk_thread_attach(void) {
  hk_tls_t *t = &hk_tls;
  if (t->heap)
    return t->heap;
  HK_ASSERT(t->state != HK_THREAD_EXITED); /* served by hk_thread_alloc_late */
  hk_init_once();
  if (t->heap) /* init re-entered malloc on this thread, which attached */
    return t->heap;
  hk_heap_t *heap = hk_heap_acquire();
  if (!heap)
    return NULL;
  for (unsigned c = 0; c < HK_NUM_CLASSES; c++) {
    t->head[c] = NULL;
    t->room[c] = (uint16_t)hk_cache_cap(c);
  }
  t->head[HK_CACHE_SPARE] = NULL;
  t->room[HK_CACHE_SPARE] = 1;
  memset(heap->batch, 0, sizeof heap->batch); /* a new thread starts at the option's batch */
  t->heap = heap;
  t->state = HK_THREAD_ATTACHED;
  t->reg_id = heap->reg_id <= HK_REG_MAX_HEAP_ID ? heap->reg_id : HK_REG_NONE;
  if (HAKMEM_HARDENED && hk_opt.zero_on_free)
    t->reg_id = HK_REG_NONE; /* every free takes the slow path, which scrubs */
  pthread_once(&exit_key_once, make_exit_key);
  if (exit_key_ok)
    pthread_setspecific(exit_key, heap);
  if (!(HAKMEM_HARDENED && hk_opt.zero_on_free)) {
    hk_heap_enter(heap);
    hk_prewarm(t);
    hk_heap_leave(heap);
  }
  return heap;
}

void *hk_thread_alloc_late(size_t size) {
  hk_heap_t *heap = hk_heap_acquire();
  if (!heap)
    return NULL;
  void *p = NULL;
  hk_heap_enter(heap);
  if (size > HK_SMALL_MAX) {
    p = hk_span_new(heap, size, HK_ALIGN);
  } else {
    /* A cache of one block, on the stack: the thread's own stays empty. */
    hk_tls_t one;
    unsigned c = hk_size_class(size);
    one.heap = heap;
    one.head[c] = NULL;
    one.room[c] = 2;
    if (hk_refill(&one, c, 1, 1) == 1) {
      p = one.head[c];
#if HAKMEM_HARDENED
      hk_hdr_store(p, hk_class_tag(c)); /* live: refill marks a cached block freed */
#endif
      HK_UNPOISON(p, size); /* the slot is poisoned whole while free */
    }
  }
  hk_heap_leave(heap);
  hk_heap_release(heap);
  return p;
}

void hk_thread_detach(void) {
  hk_tls_t *t = &hk_tls;
  hk_heap_t *heap = t->heap;
  if (!heap)
    return;
  hk_heap_enter(heap);
  for (unsigned c = 0; c < HK_NUM_CLASSES; c++)
    hk_spill(t, c, UINT32_MAX);
  hk_remote_collect(heap);
  /* Its empty slabs go back to the OS after the purge delay (reclaim purges a
   * pooled heap), not now: the next thread to adopt the heap, often at once,
   * would fault every page in again (thread churn: 701k faults, 384 so). */
  hk_heap_release_empty(heap);
  hk_heap_leave(heap);
  t->heap = NULL;
  t->reg_id = HK_REG_NONE;
  t->state = HK_THREAD_EXITED;
  hk_heap_release(heap);
}
