#include "hakmem/box/core_init.h"

#include <pthread.h>
#include <sched.h>

#include "hakmem/box/tls_cache.h"
#include "hakmem/core/large.h"
#include "hakmem/core/options.h"
#include "hakmem/core/os.h"
#include "hakmem/core/heap.h"

_Atomic int hk_init_state;

/* fork: every global lock is taken before and released after, in both. */
static void lock_all(void) {
  hk_heap_pool_lock();
  hk_large_lock();
}
static void unlock_all(void) {
  hk_large_unlock();
  hk_heap_pool_unlock();
}
static void unlock_all_child(void) {
  hk_large_unlock();
  hk_heap_pool_after_fork_child(hk_tls.heap);
}
static __thread int initialising __attribute__((tls_model("initial-exec")));

/* Also at load time, before main and its threads: a fork while another thread
 * is inside init would leave the child waiting for an init that never ends
 * (the fork handlers are registered by init itself). */
__attribute__((constructor)) static void init_at_load(void) { hk_init_once(); }

void hk_init_slow(void) {
  int expected = HK_INIT_NONE;
  if (atomic_compare_exchange_strong(&hk_init_state, &expected, HK_INIT_RUNNING)) {
    initialising = 1;
#if HAKMEM_HARDENED
    hk_os_random(&hk_link_secret, sizeof hk_link_secret); /* before any list is made */
#endif
    hk_options_init();
    /* fork: the child must find the heap pool unlocked. pthread_atfork may
     * allocate; that re-enters here and is served. */
    pthread_atfork(lock_all, unlock_all, unlock_all_child);
    hk_os_oom_hook = hk_large_trim;
    if (hak_test_init_hook)
      hak_test_init_hook();
    initialising = 0;
    atomic_store_explicit(&hk_init_state, HK_INIT_DONE, memory_order_release);
    return;
  }
  if (initialising)
    return; /* re-entered from our own init: defaults are in force */
  while (atomic_load_explicit(&hk_init_state, memory_order_acquire) != HK_INIT_DONE)
    sched_yield();
}
