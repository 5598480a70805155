/* Misuse reports: a program's invalid use of the allocator (double free,
 * invalid free, a corrupt header), found by a check.
 *
 * hk_misuse writes one line to stderr with one write(2) and no allocation,
 *   hakmem: <what> of <address> (<detail>, class <c>, <n> bytes)
 * (each part of the parentheses only if known), then aborts. With
 * HAKMEM_ABORT_ON_ERROR=0 it returns instead, and the caller leaks the block:
 * it is only called where going on is safe. Corruption of hakmem's own lists
 * calls hk_fatal, which always aborts. */
#ifndef HAKMEM_CORE_MISUSE_H
#define HAKMEM_CORE_MISUSE_H

#include <stddef.h>

#include "hakmem/core/config.h"
#include "hakmem/core/size_class.h"

/* cls: a slab class, or HK_NO_CLASS for none; size: the
 * block's usable size, 0 if unknown (taken from the class if there is one). */
HK_COLD void hk_misuse(const char *what, const void *addr, const char *detail, unsigned cls,
                       size_t size);

#endif /* HAKMEM_CORE_MISUSE_H */
