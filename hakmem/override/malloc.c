/* The malloc override: the C, POSIX and glibc entry points over the hak_* API.
 *
 * Linked only into libhakmem.so (LD_PRELOAD) and libhakmem_static.a, never into
 * a sanitizer build. The version script exports exactly these names. */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "hakmem/box/tiny_fast.h"
#include "hakmem/hakmem.h"

#define EXPORT __attribute__((visibility("default")))

/* Under LD_PRELOAD, memory the dynamic loader allocated before hakmem was bound
 * can reach free(); it is not ours to reuse, and leaking it is the only safe
 * answer. */
void hk_free_foreign(void *p) { (void)p; }

EXPORT void *malloc(size_t size) { return hk_alloc(size); }
EXPORT void free(void *p) { hk_free(p); }
EXPORT void cfree(void *p) { hk_free(p); }
EXPORT void *calloc(size_t n, size_t size) { return hak_calloc(n, size); }
EXPORT void *realloc(void *p, size_t size) {
  if (p && !hak_owns(p)) {
    errno = ENOMEM; /* foreign: its size is unknown */
    return NULL;
  }
  return hak_realloc(p, size);
}

EXPORT void *reallocarray(void *p, size_t n, size_t size) {
  size_t total;
  if (__builtin_mul_overflow(n, size, &total)) {
    errno = ENOMEM;
    return NULL;
  }
  return realloc(p, total);
}

EXPORT int posix_memalign(void **out, size_t alignment, size_t size) {
  if (alignment < sizeof(void *) || (alignment & (alignment - 1)))
    return EINVAL;
  int saved = errno;
  void *p = hak_aligned_alloc(alignment, size);
  if (!p) {
    int err = errno;
    errno = saved;
    return err;
  }
  *out = p;
  return 0;
}

EXPORT void *aligned_alloc(size_t alignment, size_t size) {
  return hak_aligned_alloc(alignment, size);
}

EXPORT void *memalign(size_t alignment, size_t size) {
  /* glibc rounds a non-power-of-two alignment up instead of failing. */
  if (alignment & (alignment - 1)) {
    size_t a = 1;
    while (a < alignment && a)
      a <<= 1;
    if (!a) {
      errno = EINVAL;
      return NULL;
    }
    alignment = a;
  }
  return hak_aligned_alloc(alignment ? alignment : 1, size);
}

EXPORT void *valloc(size_t size) { return hak_aligned_alloc(4096, size); }

EXPORT void *pvalloc(size_t size) {
  if (size > SIZE_MAX - 4095) {
    errno = ENOMEM;
    return NULL;
  }
  return hak_aligned_alloc(4096, (size + 4095) & ~(size_t)4095);
}

EXPORT size_t malloc_usable_size(void *p) { return p && hak_owns(p) ? hak_usable_size(p) : 0; }

/* glibc's internal names, which libc itself and some programs bind to. */
EXPORT void *__libc_malloc(size_t size) { return malloc(size); }
EXPORT void __libc_free(void *p) { hk_free(p); }
EXPORT void *__libc_calloc(size_t n, size_t size) { return hak_calloc(n, size); }
EXPORT void *__libc_realloc(void *p, size_t size) { return realloc(p, size); }
EXPORT void *__libc_memalign(size_t alignment, size_t size) { return memalign(alignment, size); }
EXPORT void *__libc_valloc(size_t size) { return valloc(size); }
EXPORT void *__libc_pvalloc(size_t size) { return pvalloc(size); }
EXPORT int __posix_memalign(void **out, size_t alignment, size_t size) {
  return posix_memalign(out, alignment, size);
}
