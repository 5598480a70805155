/* The hak_* API over the fast path, the size classes and large blocks. */
#include "hakmem/hakmem.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "hakmem/box/aligned.h"
#include "hakmem/box/tiny_fast.h"
#include "hakmem/core/large.h"
#include "hakmem/core/misuse.h"
#include "hakmem/core/span.h"

HK_API void *hak_malloc(size_t size) { return hk_alloc(size); }

HK_API void hak_free(void *ptr) { hk_free(ptr); }

HK_API void *hak_calloc(size_t count, size_t size) {
  size_t total;
  if (__builtin_mul_overflow(count, size, &total)) {
    errno = ENOMEM;
    return NULL;
  }
  if (total > HK_SPAN_MAX)
    return hk_large_alloc(total, HK_ALIGN, 1); /* clears only a reused mapping */
  void *p = hk_alloc(total);
  if (p)
    memset(p, 0, total);
  return p;
}

/* The bytes from ptr to the end of its slot (or mapping); 0 for a bad pointer,
 * reported as a misuse of op. */
static size_t slot_usable(const void *ptr, hk_op_t op) {
  if (!ptr)
    return 0;
  unsigned kind = hk_registry_kind(ptr);
  if (hk_reg_is_ss(kind)) {
    hk_slab_t *s;
    void *b = hk_block_resolve(hk_ss_of(ptr), ptr, &s, op);
    if (!b)
      return 0; /* reported */
    size_t usable = s->cls == HK_TAG_SPAN ? hk_span_usable(s) : hk_class_usable(s->cls);
    return usable - (size_t)((const char *)ptr - (char *)b);
  }
  if (hk_reg_is_large(kind))
    return hk_large_usable(ptr, hk_freed_what[op], hk_invalid_what[op]);
  hk_misuse("invalid malloc_usable_size", ptr, "not hakmem's memory", HK_NO_CLASS, 0);
  return 0;
}

HK_API size_t hak_usable_size(const void *ptr) {
  return hk_request_size(ptr, slot_usable(ptr, HK_OP_USABLE_SIZE));
}

HK_API void *hak_realloc(void *ptr, size_t size) {
  if (!ptr)
    return hk_alloc(size);
  if (size == 0) { /* glibc: frees and returns NULL */
    hk_free(ptr);
    return NULL;
  }
  size_t slot = slot_usable(ptr, HK_OP_REALLOC);
  if (!slot) { /* reported (HAKMEM_ABORT_ON_ERROR=0): the block is left alone */
    errno = EINVAL;
    return NULL;
  }
  /* Stay in place while the block fits and is not more than twice too big. */
  if (size <= slot && size >= slot / 2) {
    HK_EXPOSE(ptr, slot, ptr, size);
    return ptr;
  }
  /* Shrunk to more than a class holds, a span or a large block stays in place
   * too, as glibc shrinks a chunk: a move would copy, reading pages the program
   * may never have written, and write as many new ones. A span's owner gives
   * its pages past size back; a large block's tail is unmapped (a block shrunk
   * to a span's size keeps the start of its 2 MiB chunk, as address space). A
   * large block grows by mremap. Shrunk to a class size, either moves. */
  unsigned kind = hk_registry_kind(ptr);
  if (size <= slot && size > HK_SMALL_MAX && hk_reg_is_ss(kind) && hk_shrink_span(ptr, size)) {
    HK_EXPOSE(ptr, slot, ptr, size); /* the pages given back are poisoned already */
    return ptr;
  }
  if (size > HK_SMALL_MAX && hk_reg_is_large(kind)) {
    void *q = hk_large_realloc(ptr, size); /* mremap: no copy */
    if (q)
      return q;
  }
  void *q = hk_alloc(size);
  if (!q)
    return NULL;
  size_t old = hk_request_size(ptr, slot);
#ifdef HAKMEM_PLANT_REALLOC_COPIES_SHORT
  old -= old <= size;
#endif
  memcpy(q, ptr, old < size ? old : size);
  hk_free(ptr);
  return q;
}

HK_API void *hak_reallocarray(void *ptr, size_t count, size_t size) {
  size_t total;
  if (__builtin_mul_overflow(count, size, &total)) {
    errno = ENOMEM;
    return NULL;
  }
  return hak_realloc(ptr, total);
}

HK_API void *hak_aligned_alloc(size_t alignment, size_t size) {
  if (alignment == 0 || (alignment & (alignment - 1))) {
    errno = EINVAL;
    return NULL;
  }
  if (alignment <= HK_ALIGN)
    return hk_alloc(size);
  return hk_aligned_alloc(alignment, size);
}

HK_API int hak_posix_memalign(void **out, size_t alignment, size_t size) {
  if (alignment < sizeof(void *) || (alignment & (alignment - 1)))
    return EINVAL;
  int saved = errno;
  void *p = hak_aligned_alloc(alignment, size);
  int err = errno;
  errno = saved; /* POSIX: the result is the return value */
  if (!p)
    return err;
  *out = p;
  return 0;
}

HK_API void *hak_memalign(size_t alignment, size_t size) {
  /* glibc rounds an alignment that is not a power of two up to one. */
  if (alignment & (alignment - 1)) {
    if (alignment > ((size_t)1 << 62)) {
      errno = EINVAL;
      return NULL;
    }
    alignment = (size_t)1 << (64 - __builtin_clzll(alignment));
  }
  return hak_aligned_alloc(alignment ? alignment : 1, size);
}

HK_API void *hak_valloc(size_t size) { return hak_aligned_alloc(4096, size); }

HK_API void *hak_pvalloc(size_t size) {
  if (size > SIZE_MAX - 4095) {
    errno = ENOMEM;
    return NULL;
  }
  /* glibc: the size rounded up to whole pages, and at least one page. */
  return hak_aligned_alloc(4096, size ? (size + 4095) & ~(size_t)4095 : 4096);
}

#if HAKMEM_HARDENED || !HAKMEM_BUILD_RELEASE
/* The smallest request a small block or span can have been handed out for:
 * one past what the class (or run of pages) below holds, or half the block,
 * since realloc keeps a block it shrinks to half its usable size. 0 when it
 * cannot be known (aligned pointers, large mappings). */
static size_t min_request(const void *ptr) {
  if (!hk_reg_is_ss(hk_registry_kind(ptr)))
    return 0;
  hk_slab_t *s;
  if (hk_block_resolve(hk_ss_of(ptr), ptr, &s, HK_OP_FREE) != ptr || s->cls == 0)
    return 0; /* class 0 serves malloc(0) */
  size_t usable, below;
  if (s->cls == HK_TAG_SPAN) {
    usable = hk_span_usable(s);
    size_t shorter = usable - HK_PAGE_SIZE - HK_ASAN; /* a run a page shorter held this */
    below = shorter > HK_SMALL_MAX ? shorter : HK_SMALL_MAX;
  } else {
    usable = hk_class_usable(s->cls);
    below = hk_class_usable(s->cls - 1);
  }
  return below + 1 < usable / 2 ? below + 1 : usable / 2;
}

/* Reports a size free_sized cannot have been given for ptr; whether it did. */
static int bad_free_size(void *ptr, size_t size, int check_min) {
  if (hk_request_size(ptr, slot_usable(ptr, HK_OP_FREE)) < size) {
    hk_misuse("invalid free_sized", ptr, "a size larger than the block", HK_NO_CLASS, 0);
    return 1;
  }
  if (check_min && size < min_request(ptr)) {
    hk_misuse("invalid free_sized", ptr, "a size smaller than the block was asked for", HK_NO_CLASS,
              0);
    return 1;
  }
  return 0;
}
#endif

HK_API void hak_free_sized(void *ptr, size_t size) {
#if HAKMEM_HARDENED || !HAKMEM_BUILD_RELEASE
  if (ptr && bad_free_size(ptr, size, 1))
    return; /* going on: leaked */
#endif
  (void)size;
  hk_free(ptr);
}

HK_API void hak_free_aligned_sized(void *ptr, size_t alignment, size_t size) {
#if !HAKMEM_BUILD_RELEASE
  if (ptr && alignment && ((uintptr_t)ptr & (alignment - 1))) {
    hk_misuse("invalid free_aligned_sized", ptr, "an alignment the block does not have",
              HK_NO_CLASS, 0);
    return; /* going on: leaked */
  }
#endif
  (void)alignment;
#if HAKMEM_HARDENED || !HAKMEM_BUILD_RELEASE
  /* An aligned block may be of a class far above its size: no lower bound. */
  if (ptr && bad_free_size(ptr, size, 0))
    return; /* going on: leaked */
#endif
  (void)size;
  hk_free(ptr);
}

HK_API int hak_owns(const void *ptr) {
  unsigned kind = hk_registry_kind(ptr);
  return hk_reg_is_large(kind) ? hk_large_contains(ptr) : kind != HK_REG_FOREIGN;
}

HK_API void hak_build_info(hak_build_info_t *out) {
  out->header_classidx = HAKMEM_HEADER_CLASSIDX;
  out->prewarm_tls = HAKMEM_PREWARM_TLS;
  out->aggressive_inline = HAKMEM_AGGRESSIVE_INLINE;
  out->release = HAKMEM_BUILD_RELEASE;
  out->tiny_max = HK_TINY_MAX;
  out->small_max = HK_SMALL_MAX;
  out->num_classes = HK_NUM_CLASSES;
  out->version = HAKMEM_VERSION;
}
