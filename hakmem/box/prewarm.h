/* Box: prewarm.
 *
 * Owns: filling a new thread's cache, for every tiny class, with up to
 * HAKMEM_PREWARM_COUNT blocks (default 16) from the heap it adopted, so that a
 * thread's first allocations hit the cache instead of paying a refill each.
 * Only memory already resident is used (a slab's free list and its uncarved
 * blocks in pages carving has written, hk_slab_carvable): pre-warm never makes
 * a slab or touches a new page, so a thread on a fresh heap costs no more than
 * its first allocation, and big classes get fewer blocks. Compiled in with
 * HAKMEM_PREWARM_TLS; the option at 0 turns it off at run time.
 * Who: thread attach, once per thread. Cost: none on the fast path; at thread
 * start at most one refill per tiny class that has a partial slab. */
#ifndef HAKMEM_BOX_PREWARM_H
#define HAKMEM_BOX_PREWARM_H

#include "hakmem/box/tls_cache.h"

void hk_prewarm(hk_tls_t *t);

#endif /* HAKMEM_BOX_PREWARM_H */
