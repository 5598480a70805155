/* Spans: one block over a run of whole pages of a SuperSlab, for requests from
 * HK_SMALL_MAX to HK_SPAN_MAX. A run may share its first and last units with
 * other spans (never with a slab); the slab descriptor is that of the unit the
 * block starts in. Its class is HK_TAG_SPAN, as is the block's header byte, so
 * a free of a span takes the slow path; no thread caches them. Owner-only,
 * like slabs; a remote free of a span goes through its slab's remote list
 * (box/remote_free). */
#ifndef HAKMEM_CORE_SPAN_H
#define HAKMEM_CORE_SPAN_H

#include <stddef.h>

#include "hakmem/core/guard.h"
#include "hakmem/core/superslab.h"

#define HK_SPAN_OFFSET ((size_t)64) /* block start from the run's start */
#define HK_SPAN_MAX    ((size_t)16 * HK_UNIT_SIZE - HK_SPAN_OFFSET)
/* Aligned spans: the run starts where its block lands aligned, for sizes up to
 * 1 MiB. */
#define HK_SPAN_ALIGN_MAX   HK_UNIT_SIZE
#define HK_SPAN_ALIGNED_MAX ((size_t)1 << 20)
/* A span of at least size bytes whose start is a multiple of align (a power of
 * two up to HK_SPAN_ALIGN_MAX; 64 or less: the default offset); NULL + ENOMEM. */
void *hk_span_new(hk_heap_t *heap, size_t size, size_t align);
/* Keeps a span's block in place at size bytes (more than HK_SMALL_MAX) and
 * gives the pages past it back (owner only): realloc's shrink. */
void hk_span_shrink(hk_heap_t *heap, hk_slab_t *s, size_t size);
/* Gives a span's pages back (owner only). */
void hk_span_free(hk_heap_t *heap, hk_slab_t *s);
/* The end of a span's run of pages (its guard's end, hardened). */
static inline char *hk_span_run_end(const hk_slab_t *s) {
  return (char *)hk_ss_of(s) + ((size_t)s->page0 + s->pages) * HK_PAGE_SIZE;
}
/* From the block's start to the end of its run, or to its guard (hardened). */
static inline size_t hk_span_usable(const hk_slab_t *s) {
  return (size_t)((HK_GUARD_SIZE ? s->guard : hk_span_run_end(s)) - s->base);
}

#endif /* HAKMEM_CORE_SPAN_H */
