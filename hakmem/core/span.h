/* Spans: one block over a run of whole SuperSlab units, for requests from
 * HK_SMALL_MAX to HK_SPAN_MAX. The slab's class is HK_TAG_SPAN, as is the
 * block's header byte, so a free of a span takes the slow path; no thread
 * caches them. Owner-only, like slabs; a remote free of a span goes through its
 * slab's remote list (box/remote_free). */
#ifndef HAKMEM_CORE_SPAN_H
#define HAKMEM_CORE_SPAN_H

#include <stddef.h>

#include "hakmem/core/superslab.h"

#define HK_SPAN_OFFSET ((size_t)64) /* block start from the run's start */
#define HK_SPAN_MAX    ((size_t)16 * HK_UNIT_SIZE - HK_SPAN_OFFSET)
/* A span of at least size bytes; NULL + ENOMEM. */
void *hk_span_new(hk_heap_t *heap, size_t size);
/* Gives a span's units back (owner only). */
void hk_span_free(hk_heap_t *heap, hk_slab_t *s);
static inline size_t hk_span_usable(const hk_slab_t *s) {
  return (size_t)s->units * HK_UNIT_SIZE - HK_SPAN_OFFSET;
}

#endif /* HAKMEM_CORE_SPAN_H */
