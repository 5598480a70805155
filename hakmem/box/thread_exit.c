#include "hakmem/box/thread_exit.h"

#include <pthread.h>

#include "hakmem/box/core_init.h"
#include "hakmem/box/prewarm.h"
#include "hakmem/box/refill.h"
#include "hakmem/box/remote_free.h"
#include "hakmem/core/heap.h"

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
  /* A destructor that runs after ours may allocate: serve it, but do not
   * pre-warm a cache that is about to be flushed again. */
  int exiting = t->state == HK_THREAD_EXITED;
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
  t->heap = heap;
  t->state = HK_THREAD_ATTACHED;
  t->reg_id = heap->reg_id <= HK_REG_MAX_HEAP_ID ? heap->reg_id : HK_REG_NONE;
  pthread_once(&exit_key_once, make_exit_key);
  if (exit_key_ok)
    pthread_setspecific(exit_key, heap);
  if (!exiting)
    hk_prewarm(t);
  return heap;
}

void hk_thread_detach(void) {
  hk_tls_t *t = &hk_tls;
  hk_heap_t *heap = t->heap;
  if (!heap)
    return;
  for (unsigned c = 0; c < HK_NUM_CLASSES; c++)
    hk_spill(t, c, UINT32_MAX);
  hk_remote_collect(heap);
  t->heap = NULL;
  t->reg_id = HK_REG_NONE;
  t->state = HK_THREAD_EXITED;
  hk_heap_release(heap);
}
