/* The malloc family under one set of names, so that one test source builds two
 * ways: by default the test links the malloc override (//hakmem/override) and
 * calls the real names, as a program would; with -DUSE_HAK (the sanitizer
 * configs, where ASan/TSan own malloc) the same calls go to the hak_* API.
 *
 * T_LIBC_* are glibc's internal names; under USE_HAK they fall back to the
 * hak_* function with the same semantics. */
#ifndef HAKMEM_TESTS_ENTRY_POINTS_H
#define HAKMEM_TESTS_ENTRY_POINTS_H

#include <malloc.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "hakmem/hakmem.h"

#ifdef USE_HAK
#define T_API_NAME                     "hak_*"
#define T_MALLOC(n)                    hak_malloc(n)
#define T_FREE(p)                      hak_free(p)
#define T_CALLOC(n, s)                 hak_calloc(n, s)
#define T_REALLOC(p, n)                hak_realloc(p, n)
#define T_REALLOCARRAY(p, n, s)        hak_reallocarray(p, n, s)
#define T_POSIX_MEMALIGN(out, a, n)    hak_posix_memalign(out, a, n)
#define T_ALIGNED_ALLOC(a, n)          hak_aligned_alloc(a, n)
#define T_MEMALIGN(a, n)               hak_memalign(a, n)
#define T_VALLOC(n)                    hak_valloc(n)
#define T_PVALLOC(n)                   hak_pvalloc(n)
#define T_USABLE_SIZE(p)               hak_usable_size(p)
#define T_FREE_SIZED(p, n)             hak_free_sized(p, n)
#define T_FREE_ALIGNED_SIZED(p, a, n)  hak_free_aligned_sized(p, a, n)
#define T_MALLOC_TRIM(pad)             hak_malloc_trim(pad)
#define T_MALLOC_STATS()               hak_malloc_stats()
#define T_MALLOC_INFO(o, f)            hak_malloc_info(o, f)
#define T_MALLINFO2()                  hak_mallinfo2()
#define T_LIBC_MALLOC(n)               hak_malloc(n)
#define T_LIBC_FREE(p)                 hak_free(p)
#define T_LIBC_CALLOC(n, s)            hak_calloc(n, s)
#define T_LIBC_REALLOC(p, n)           hak_realloc(p, n)
#define T_LIBC_MEMALIGN(a, n)          hak_memalign(a, n)
#define T_LIBC_VALLOC(n)               hak_valloc(n)
#define T_LIBC_PVALLOC(n)              hak_pvalloc(n)
#define T_LIBC_POSIX_MEMALIGN(o, a, n) hak_posix_memalign(o, a, n)
#define T_CFREE(p)                     hak_free(p)
#else
/* Exported by the override; glibc 2.36's headers do not declare them. */
void free_sized(void *ptr, size_t size);
void free_aligned_sized(void *ptr, size_t alignment, size_t size);
void cfree(void *ptr);
void *__libc_malloc(size_t size);
void __libc_free(void *ptr);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *ptr, size_t size);
void *__libc_memalign(size_t alignment, size_t size);
void *__libc_valloc(size_t size);
void *__libc_pvalloc(size_t size);
int __posix_memalign(void **out, size_t alignment, size_t size);

#define T_API_NAME                     "malloc override"
#define T_MALLOC(n)                    malloc(n)
#define T_FREE(p)                      free(p)
#define T_CALLOC(n, s)                 calloc(n, s)
#define T_REALLOC(p, n)                realloc(p, n)
#define T_REALLOCARRAY(p, n, s)        reallocarray(p, n, s)
#define T_POSIX_MEMALIGN(out, a, n)    posix_memalign(out, a, n)
#define T_ALIGNED_ALLOC(a, n)          aligned_alloc(a, n)
#define T_MEMALIGN(a, n)               memalign(a, n)
#define T_VALLOC(n)                    valloc(n)
#define T_PVALLOC(n)                   pvalloc(n)
#define T_USABLE_SIZE(p)               malloc_usable_size(p)
#define T_FREE_SIZED(p, n)             free_sized(p, n)
#define T_FREE_ALIGNED_SIZED(p, a, n)  free_aligned_sized(p, a, n)
#define T_MALLOC_TRIM(pad)             malloc_trim(pad)
#define T_MALLOC_STATS()               malloc_stats()
#define T_MALLOC_INFO(o, f)            malloc_info(o, f)
#define T_MALLINFO2()                  mallinfo2()
#define T_LIBC_MALLOC(n)               __libc_malloc(n)
#define T_LIBC_FREE(p)                 __libc_free(p)
#define T_LIBC_CALLOC(n, s)            __libc_calloc(n, s)
#define T_LIBC_REALLOC(p, n)           __libc_realloc(p, n)
#define T_LIBC_MEMALIGN(a, n)          __libc_memalign(a, n)
#define T_LIBC_VALLOC(n)               __libc_valloc(n)
#define T_LIBC_PVALLOC(n)              __libc_pvalloc(n)
#define T_LIBC_POSIX_MEMALIGN(o, a, n) __posix_memalign(o, a, n)
#define T_CFREE(p)                     cfree(p)
#endif

#endif /* HAKMEM_TESTS_ENTRY_POINTS_H */
