/* C++ operator new and delete: the 20 replaceable forms under their Itanium
 * names, so C++ programs reach the fast path without libstdc++'s wrapper and
 * sized delete reaches hk_free_sized. size_t is `m`, std::align_val_t (a
 * size_t enum) is passed as size_t, const std::nothrow_t& as a pointer.
 *
 * A failed allocation goes to hk_new_fail (new_fail.cc): the new_handler loop
 * and std::bad_alloc need C++, whose runtime hakmem only refers to weakly. Compiled with
 * -fexceptions, so a bad_alloc thrown there or by a program's new_handler unwinds through these
 * frames. */
#include <stddef.h>
#include <stdint.h>

#include "hakmem/box/tiny_fast.h"
#include "hakmem/hakmem.h"
#include "hakmem/override/new_fail.h"

#define EXPORT __attribute__((visibility("default")))

/* Two of the C++ runtime's symbols new_fail.cc uses, under names the compiler
 * knows to be weak: unbound if the process had no C++ runtime when hakmem was
 * loaded (new_fail.cc says when), and then nothing can throw std::bad_alloc. */
extern void hk_weak_cxa_throw(void) __asm__("__cxa_throw") __attribute__((weak));
extern void hk_weak_get_new_handler(void) __asm__("_ZSt15get_new_handlerv") __attribute__((weak));

/* Without the runtime no new_handler can have been set: nothrow new returns
 * NULL, and new, which cannot throw, aborts. */
static HK_COLD void *new_failed(size_t size, size_t alignment, int nothrow) {
  if (hk_weak_cxa_throw != NULL && hk_weak_get_new_handler != NULL)
    return hk_new_fail(size, alignment, nothrow);
  if (!nothrow)
    hk_fatal("operator new out of memory with no C++ runtime to throw std::bad_alloc",
             (void *)size);
  return NULL;
}

static inline void *new_aligned(size_t size, size_t alignment, int nothrow) {
  /* Undefined behaviour in C++; aborting beats a new_handler loop that cannot end. */
  if (alignment == 0 || (alignment & (alignment - 1)))
    hk_fatal("operator new with an alignment that is not a power of two", (void *)alignment);
  void *p = hak_aligned_alloc(alignment, size);
  return HK_LIKELY(p != NULL) ? p : new_failed(size, alignment, nothrow);
}

static inline void *new_plain(size_t size, int nothrow) {
  void *p = hk_alloc(size);
  return HK_LIKELY(p != NULL) ? p : new_failed(size, 0, nothrow);
}

/* operator new, new[]: plain, nothrow, aligned, aligned nothrow. */
EXPORT void *_Znwm(size_t size) { return new_plain(size, 0); }
EXPORT void *_Znam(size_t size) { return new_plain(size, 0); }
EXPORT void *_ZnwmRKSt9nothrow_t(size_t size, const void *nt) {
  (void)nt;
  return new_plain(size, 1);
}
EXPORT void *_ZnamRKSt9nothrow_t(size_t size, const void *nt) {
  (void)nt;
  return new_plain(size, 1);
}
EXPORT void *_ZnwmSt11align_val_t(size_t size, size_t alignment) {
  return new_aligned(size, alignment, 0);
}
EXPORT void *_ZnamSt11align_val_t(size_t size, size_t alignment) {
  return new_aligned(size, alignment, 0);
}
EXPORT void *_ZnwmSt11align_val_tRKSt9nothrow_t(size_t size, size_t alignment, const void *nt) {
  (void)nt;
  return new_aligned(size, alignment, 1);
}
EXPORT void *_ZnamSt11align_val_tRKSt9nothrow_t(size_t size, size_t alignment, const void *nt) {
  (void)nt;
  return new_aligned(size, alignment, 1);
}

/* operator delete, delete[]: plain, sized, nothrow, aligned, sized aligned,
 * aligned nothrow. An aligned block may sit inside a larger one, so only the
 * unaligned sized forms may take the class from the size. */
EXPORT void _ZdlPv(void *p) { hk_free(p); }
EXPORT void _ZdaPv(void *p) { hk_free(p); }
EXPORT void _ZdlPvm(void *p, size_t size) { hk_free_sized(p, size); }
EXPORT void _ZdaPvm(void *p, size_t size) { hk_free_sized(p, size); }
EXPORT void _ZdlPvRKSt9nothrow_t(void *p, const void *nt) {
  (void)nt;
  hk_free(p);
}
EXPORT void _ZdaPvRKSt9nothrow_t(void *p, const void *nt) {
  (void)nt;
  hk_free(p);
}
EXPORT void _ZdlPvSt11align_val_t(void *p, size_t alignment) {
  hak_free_aligned_sized(p, alignment, 0);
}
EXPORT void _ZdaPvSt11align_val_t(void *p, size_t alignment) {
  hak_free_aligned_sized(p, alignment, 0);
}
EXPORT void _ZdlPvmSt11align_val_t(void *p, size_t size, size_t alignment) {
  hak_free_aligned_sized(p, alignment, size);
}
EXPORT void _ZdaPvmSt11align_val_t(void *p, size_t size, size_t alignment) {
  hak_free_aligned_sized(p, alignment, size);
}
EXPORT void _ZdlPvSt11align_val_tRKSt9nothrow_t(void *p, size_t alignment, const void *nt) {
  (void)nt;
  hak_free_aligned_sized(p, alignment, 0);
}
EXPORT void _ZdaPvSt11align_val_tRKSt9nothrow_t(void *p, size_t alignment, const void *nt) {
  (void)nt;
  hak_free_aligned_sized(p, alignment, 0);
}
