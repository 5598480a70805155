/* Checks, fatal errors and sanitizer hooks.
 *
 * HK_ASSERT checks box invariants in debug builds and compiles to nothing in
 * release builds (HAKMEM_BUILD_RELEASE). hk_fatal writes one line naming the
 * misuse and the address, then aborts; it never allocates. */
#ifndef HAKMEM_CORE_DEBUG_H
#define HAKMEM_CORE_DEBUG_H

#include <stddef.h>

#include "hakmem/core/config.h"

__attribute__((noreturn, cold)) void hk_fatal(const char *what, const void *addr);

#if HAKMEM_BUILD_RELEASE
#define HK_ASSERT(cond) ((void)0)
#define HK_DEBUG_ONLY(x)
#else
#define HK_ASSERT(cond)                                                                            \
  ((cond) ? (void)0 : hk_fatal("assertion failed: " #cond " (" __FILE__ ")", NULL))
#define HK_DEBUG_ONLY(x) x
#endif

#if HK_ASAN
#include <sanitizer/asan_interface.h>
#define HK_POISON(p, n)   ASAN_POISON_MEMORY_REGION((p), (n))
#define HK_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define HK_NO_ASAN        __attribute__((no_sanitize_address))
#else
#define HK_POISON(p, n)   ((void)(p), (void)(n))
#define HK_UNPOISON(p, n) ((void)(p), (void)(n))
#define HK_NO_ASAN
#endif

/* ASan: of the slot_bytes at slot, only the size bytes at p stay addressable
 * (the request: its end may be mid-granule, its start must be 8-aligned). */
#define HK_EXPOSE(slot, slot_bytes, p, size) (HK_POISON(slot, slot_bytes), HK_UNPOISON(p, size))

/* The bytes of a live block the program may use. Under ASan its request, read
 * back from the shadow (the addressable prefix of the usable bytes), as ASan's
 * own allocator answers malloc_usable_size; otherwise all usable bytes. */
static inline size_t hk_request_size(const void *p, size_t usable) {
#if HK_ASAN
  /* The addressable bytes are a prefix: a binary search for its end, not
   * __asan_region_is_poisoned, which tests a partly poisoned range byte by
   * byte (milliseconds for a large block). */
  size_t lo = 0, hi = usable;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (__asan_address_is_poisoned((const char *)p + mid))
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
#else
  (void)p;
  return usable;
#endif
}

/* Free blocks are poisoned under ASan; hakmem's own accesses to their link word
 * and to the header byte go through these. Plain loads and stores otherwise.
 * Hardened builds safe-link every list: the word stored is the pointer mixed
 * with the slot's own address and a per-process secret (hk_link_secret, from
 * getrandom at load), so a pointer written into a freed block decodes to
 * garbage, which the checks on pop catch. */
#if HAKMEM_HARDENED
#include <stdint.h>
extern uintptr_t hk_link_secret;
HK_NO_ASAN static inline void *hk_next_load(void *p) {
  return (void *)(*(uintptr_t *)p ^ (uintptr_t)p ^ hk_link_secret);
}
HK_NO_ASAN static inline void hk_next_store(void *p, void *v) {
  *(uintptr_t *)p = (uintptr_t)v ^ (uintptr_t)p ^ hk_link_secret;
}
HK_NO_ASAN static inline unsigned hk_hdr_load(const void *p) {
  return ((const unsigned char *)p)[-1];
}
HK_NO_ASAN static inline void hk_hdr_store(void *p, unsigned v) {
  ((unsigned char *)p)[-1] = (unsigned char)v;
}
#elif HK_ASAN
HK_NO_ASAN static inline void *hk_next_load(void *p) { return *(void **)p; }
HK_NO_ASAN static inline void hk_next_store(void *p, void *v) { *(void **)p = v; }
HK_NO_ASAN static inline unsigned hk_hdr_load(const void *p) {
  return ((const unsigned char *)p)[-1];
}
HK_NO_ASAN static inline void hk_hdr_store(void *p, unsigned v) {
  ((unsigned char *)p)[-1] = (unsigned char)v;
}
#else
HK_HOT void *hk_next_load(void *p) { return *(void **)p; }
HK_HOT void hk_next_store(void *p, void *v) { *(void **)p = v; }
HK_HOT unsigned hk_hdr_load(const void *p) { return ((const unsigned char *)p)[-1]; }
HK_HOT void hk_hdr_store(void *p, unsigned v) { ((unsigned char *)p)[-1] = (unsigned char)v; }
#endif

#endif /* HAKMEM_CORE_DEBUG_H */
