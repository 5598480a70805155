/* Box: core init.
 *
 * Owns: the process-wide, once-only initialisation (options from the
 * environment, fork handlers). Lazy: the first allocation of any thread runs it,
 * or the library's constructor, whichever comes first. Re-entrant:
 * if malloc is re-entered on the initialising thread (dynamic loader, pthread,
 * dlsym), that call proceeds with the defaults every global holds statically;
 * other threads wait until it is done. Nothing on this path uses stdio or
 * getenv, or allocates.
 * Who: thread attach. Cost: one acquire load on the slow path, none on the fast
 * path. */
#ifndef HAKMEM_BOX_CORE_INIT_H
#define HAKMEM_BOX_CORE_INIT_H

#include <stdatomic.h>

#include "hakmem/core/config.h"

enum { HK_INIT_NONE = 0, HK_INIT_RUNNING = 1, HK_INIT_DONE = 2 };
extern _Atomic int hk_init_state;

void hk_init_slow(void);

static inline void hk_init_once(void) {
  if (HK_UNLIKELY(atomic_load_explicit(&hk_init_state, memory_order_acquire) != HK_INIT_DONE))
    hk_init_slow();
}

/* Tests define this to re-enter the allocator in the middle of init. */
__attribute__((weak)) void hak_test_init_hook(void);

#endif /* HAKMEM_BOX_CORE_INIT_H */
