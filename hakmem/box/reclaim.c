#define _POSIX_C_SOURCE 200809L
#include "hakmem/box/reclaim.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "hakmem/box/core_init.h"
#include "hakmem/box/refill.h"
#include "hakmem/box/remote_free.h"
#include "hakmem/core/heap.h"
#include "hakmem/core/large.h"
#include "hakmem/core/options.h"
#include "hakmem/core/os.h"
#include "hakmem/core/slab.h"

static _Atomic uint64_t next_maintenance_ms;
static _Atomic int purger_started;

static uint64_t period_ms(void) {
  return hk_opt.purge_delay_ms > 0 ? (uint64_t)hk_opt.purge_delay_ms : 1;
}

/* With the pool lock held: the heap is ours. */
static void maintain(hk_heap_t *heap, void *arg) {
  uint64_t now = *(uint64_t *)arg;
  hk_remote_collect_pending(heap);
  if (heap->purge_at && now >= heap->purge_at)
    hk_heap_purge(heap, HK_PURGE_ALL); /* pooled: no thread will reuse them */
  /* Pooled past the purge delay: the spare SuperSlab goes too. */
  if (heap->spare_ss && hk_os_now_ms() >= heap->pooled_at + period_ms())
    hk_heap_unmap_free(heap, 1);
}

/* With the pool lock held, any heap: a pooled one is ours; a live one whose
 * owner has made no slow-path allocation for a purge delay, and that has
 * remote frees waiting, is taken over while its owner is outside. */
static void maintain_any(hk_heap_t *heap, void *arg) {
  if (atomic_load_explicit(&heap->pooled, memory_order_relaxed)) {
    maintain(heap, arg);
    return;
  }
  uint64_t now = *(uint64_t *)arg;
  if (!atomic_load_explicit(&heap->rq, memory_order_relaxed) ||
      now < atomic_load_explicit(&heap->active_at, memory_order_relaxed) + period_ms() ||
      !hk_heap_try_take(heap))
    return;
  hk_remote_collect(heap);
  /* Its owner has been idle for a purge delay: what the frees emptied goes
   * back now (no later pass would come for it while the owner stays idle). */
  hk_heap_trim(heap, HK_PURGE_ALL);
  hk_heap_give_back(heap);
}

void hk_reclaim_pooled(hk_heap_t *heap) {
  int saved = errno;
  hk_heap_pool_try_one(heap, hk_remote_collect);
  errno = saved;
}

void hk_reclaim_own(hk_tls_t *t, uint64_t now) {
  hk_heap_t *heap = t->heap;
  atomic_store_explicit(&heap->active_at, now, memory_order_relaxed);
  if (!heap->purge_at || now < heap->purge_at)
    return;
  /* A purge is due. At most once a purge delay (units come due at any time),
   * the thread cache also halves (its blocks back to their slabs) and the
   * slabs that empties go: a cache the thread stopped using drains. */
  if (now < heap->decay_at) {
    hk_heap_purge(heap, HK_PURGE_AGED);
    return;
  }
  heap->decay_at = now + period_ms();
  for (unsigned c = 0; c < HK_NUM_CLASSES; c++)
    hk_spill(t, c, (hk_cache_cap(c) - t->room[c] + 1) / 2); /* down to 0 */
  hk_heap_trim(heap, HK_PURGE_AGED);
  /* On the shared id: an id freed since (its heap lost its SuperSlabs) is ours. */
  if (t->reg_id == HK_REG_NONE && hk_heap_take_free_id(heap))
    t->reg_id = heap->reg_id;
}

static void *purger(void *arg) {
  (void)arg;
  for (;;) {
    uint64_t ms = period_ms();
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    uint64_t now = hk_os_now_ms();
    hk_heap_all_try_each(maintain_any, &now); /* a busy pool: next period */
    hk_large_tick(now); /* an idle process's cached large mappings decay too */
  }
  return NULL;
}

/* fork child: the purger thread is gone; the next tick starts one again. */
static void purger_after_fork_child(void) { atomic_store(&purger_started, 0); }
static void register_fork_handler(void) { pthread_atfork(NULL, NULL, purger_after_fork_child); }

static void start_purger(void) {
  static pthread_once_t fork_handler_once = PTHREAD_ONCE_INIT;
  int expected = 0;
  if (!atomic_compare_exchange_strong(&purger_started, &expected, 1))
    return;
  pthread_once(&fork_handler_once, register_fork_handler);
  /* pthread_create may allocate: that call finds the tick already taken. */
  pthread_attr_t attr;
  pthread_t th;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  if (pthread_create(&th, &attr, purger, NULL) != 0)
    atomic_store(&purger_started, 0); /* try again at a later tick */
  pthread_attr_destroy(&attr);
}

void hk_reclaim_tick(uint64_t now) {
  uint64_t due = atomic_load_explicit(&next_maintenance_ms, memory_order_relaxed);
  if (now < due || !atomic_compare_exchange_strong(&next_maintenance_ms, &due, now + period_ms()))
    return;
  if (hk_opt.background_purge &&
      atomic_load_explicit(&hk_init_state, memory_order_acquire) == HK_INIT_DONE &&
      !atomic_load_explicit(&purger_started, memory_order_relaxed))
    start_purger();
  hk_heap_all_try_each(maintain_any, &now);
}
