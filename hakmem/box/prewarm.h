/* Box: prewarm.
 *
 * Owns: filling a new thread's cache for every tiny class with
 * HAKMEM_PREWARM_COUNT blocks (default 16), so that a thread's first
 * allocations hit the cache instead of paying a refill each. Compiled in with
 * HAKMEM_PREWARM_TLS; the option at 0 turns it off at run time.
 * Who: thread attach, once per thread. Cost: none on the fast path; at thread
 * start one refill per tiny class (24 slabs made on a fresh heap). */
#ifndef HAKMEM_BOX_PREWARM_H
#define HAKMEM_BOX_PREWARM_H

#include "hakmem/box/tls_cache.h"

void hk_prewarm(hk_tls_t *t);

#endif /* HAKMEM_BOX_PREWARM_H */
