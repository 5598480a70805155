/* Box: aligned allocation (aligned_alloc, posix_memalign, memalign, valloc).
 *
 * Owns: where an aligned request is served, so that such blocks share slabs
 * and spans with the rest instead of taking a mapping each:
 *   1. the smallest class that fits the size and whose blocks all have the
 *      alignment (size_class.h: hk_class_align): from the thread cache, as
 *      malloc, if it is a cached class (mid classes: 64 B; without the header
 *      also tiny ones), else one block from an aligned class's slabs (strides
 *      64 B .. 32 KiB, powers of two), no thread cache;
 *   2. else, alignment to 64 KiB and size to 1 MiB: a span whose block starts
 *      `alignment` bytes into its run of units;
 *   3. else a mapping of its own (large.h).
 * Every block is then the start of a block of its slab or span, so free,
 * realloc and malloc_usable_size need nothing of this box, with or without the
 * header byte.
 * Who: the hak_* API. Not on the hot path: a short loop over the classes. */
#ifndef HAKMEM_BOX_ALIGNED_H
#define HAKMEM_BOX_ALIGNED_H

#include <stddef.h>

/* align: a power of two above HK_ALIGN. NULL + ENOMEM. */
void *hk_aligned_alloc(size_t align, size_t size);

#endif /* HAKMEM_BOX_ALIGNED_H */
