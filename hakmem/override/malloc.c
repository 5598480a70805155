/* The malloc override: the C, POSIX and glibc entry points over the hak_* API.
 *
 * Linked only into libhakmem.so (LD_PRELOAD) and the static override library,
 * never into a sanitizer build. exports.lds exports exactly these names. */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "hakmem/box/tiny_fast.h"
#include "hakmem/hakmem.h"
#include "hakmem/core/loader_memory.h"

#define EXPORT __attribute__((visibility("default")))

/* A foreign pointer's size is unknown: the loader's blocks cannot be resized. */
static int foreign(const void *p, const char *what) {
  if (!p || hak_owns(p))
    return 0;
  if (!hk_loader_memory(p)) {
    hk_misuse(what, p, "not hakmem's memory", HK_NO_CLASS, 0);
    return 1; /* going on: as if it were the loader's */
  }
  return 1;
}

EXPORT void *malloc(size_t size) { return hk_alloc(size); }
EXPORT void free(void *p) { hk_free(p); }
EXPORT void cfree(void *p) { hk_free(p); }
EXPORT void *calloc(size_t n, size_t size) { return hak_calloc(n, size); }

EXPORT void *realloc(void *p, size_t size) {
  if (foreign(p, "invalid realloc")) {
    errno = ENOMEM;
    return NULL;
  }
  return hak_realloc(p, size);
}

EXPORT void *reallocarray(void *p, size_t n, size_t size) {
  if (foreign(p, "invalid realloc")) {
    errno = ENOMEM;
    return NULL;
  }
  return hak_reallocarray(p, n, size);
}

EXPORT int posix_memalign(void **out, size_t alignment, size_t size) {
  return hak_posix_memalign(out, alignment, size);
}
EXPORT void *aligned_alloc(size_t alignment, size_t size) {
  return hak_aligned_alloc(alignment, size);
}
EXPORT void *memalign(size_t alignment, size_t size) { return hak_memalign(alignment, size); }
EXPORT void *valloc(size_t size) { return hak_valloc(size); }
EXPORT void *pvalloc(size_t size) { return hak_pvalloc(size); }
EXPORT size_t malloc_usable_size(void *p) {
  return p && !foreign(p, "invalid malloc_usable_size") ? hak_usable_size(p) : 0;
}
EXPORT void free_sized(void *p, size_t size) { hak_free_sized(p, size); }
EXPORT void free_aligned_sized(void *p, size_t alignment, size_t size) {
  hak_free_aligned_sized(p, alignment, size);
}

EXPORT int malloc_trim(size_t pad) { return hak_malloc_trim(pad); }
EXPORT void malloc_stats(void) { hak_malloc_stats(); }
EXPORT int malloc_info(int options, FILE *stream) { return hak_malloc_info(options, stream); }
EXPORT int mallopt(int param, int value) { return hak_mallopt(param, value); }
EXPORT struct mallinfo2 mallinfo2(void) { return hak_mallinfo2(); }

EXPORT struct mallinfo mallinfo(void) {
  struct mallinfo2 m2 = hak_mallinfo2();
  struct mallinfo m = {0};
  m.arena = (int)m2.arena;
  m.hblks = (int)m2.hblks;
  m.hblkhd = (int)m2.hblkhd;
  m.usmblks = (int)m2.usmblks;
  m.uordblks = (int)m2.uordblks;
  m.fordblks = (int)m2.fordblks;
  return m;
}

/* glibc's internal names, which libc itself and some programs bind to. */
EXPORT void *__libc_malloc(size_t size) { return hk_alloc(size); }
EXPORT void __libc_free(void *p) { hk_free(p); }
EXPORT void *__libc_calloc(size_t n, size_t size) { return hak_calloc(n, size); }
EXPORT void *__libc_realloc(void *p, size_t size) { return realloc(p, size); }
EXPORT void *__libc_memalign(size_t alignment, size_t size) {
  return hak_memalign(alignment, size);
}
EXPORT void *__libc_valloc(size_t size) { return hak_valloc(size); }
EXPORT void *__libc_pvalloc(size_t size) { return hak_pvalloc(size); }
EXPORT int __posix_memalign(void **out, size_t alignment, size_t size) {
  return hak_posix_memalign(out, alignment, size);
}
