/* Large blocks: anything above the size classes, and alignments the classes
 * cannot give. One mapping per block, of whole pages, starting on a 2 MiB chunk
 * so that its registry entries are its own (its last chunk may end with other
 * mappings: see large.c); a header just below the block records the mapping.
 * Untouched pages of a mapping cost no memory.
 * Who: the API's slow paths. Cost: a map on allocation and an unmap on free,
 * unless the cache of freed mappings serves them. */
#ifndef HAKMEM_CORE_LARGE_H
#define HAKMEM_CORE_LARGE_H

#include <stddef.h>
#include <stdint.h>

/* NULL + ENOMEM on failure. align is a power of two. zero: the block must read
 * as zero (a fresh mapping does; a reused one is cleared). */
void *hk_large_alloc(size_t size, size_t align, int zero);
void hk_large_free(void *p);
/* Resizes in place or moves the pages (mremap), never copying; NULL if the OS
 * refuses (p is untouched then). The result is 64-byte aligned, not more. */
void *hk_large_realloc(void *p, size_t size);
/* The usable bytes of the large block p, or 0 after a misuse report (`freed`:
 * of a freed block; `invalid`: of no block start) that returns. */
size_t hk_large_usable(const void *p, const char *freed, const char *invalid);
/* Whether p, in a chunk the registry marks large, is inside a large mapping
 * (the rest of a mapping's last chunk may be another's). Reads the registry
 * bytes from p's chunk back to its mapping's first and that chunk's record
 * only (a later chunk may start with a guard page). */
int hk_large_contains(const void *p);
/* Unmaps every cached mapping; 1 if there was any. */
int hk_large_trim(void);
/* Gives back the cached mappings the decay no longer allows (see large.c). For
 * slow paths other than the large ones, which check by themselves: without a
 * cache or before the next decay step it is a load or two and no lock. */
void hk_large_tick(uint64_t now_ms);
/* The cache's lock, for the fork handlers. */
void hk_large_lock(void);
void hk_large_unlock(void);

#endif /* HAKMEM_CORE_LARGE_H */
