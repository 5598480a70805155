/* Box: the tiny (and mid) alloc/free fast path.
 *
 * Owns: nothing but code; it pops from and pushes on the thread cache.
 * alloc: size -> class, pop the class's list, room + 1.
 * free:  the registry byte is this thread's heap id (a block of its own heap),
 *        class from the header byte (or the slab descriptor without the
 *        header), push, room - 1; a full cache takes the overflow path.
 * Everything else (empty list, first use of a thread, another thread's block,
 * large blocks, NULL, foreign pointers) goes to a noinline slow path.
 * Invariants: no locks, no atomic read-modify-writes, no option branches; an
 * uninitialised thread has heap == NULL and empty lists, so it needs no check.
 * Who: the hak_* API and the malloc override. */
#ifndef HAKMEM_BOX_TINY_FAST_H
#define HAKMEM_BOX_TINY_FAST_H

#include <stddef.h>

#include "hakmem/box/tls_cache.h"
#include "hakmem/core/debug.h"
#include "hakmem/core/registry.h"

void *hk_alloc_slow(size_t size);
void hk_free_slow(void *p);
/* The cache of p's class reached its cap. */
void hk_free_overflow(void *p);
/* p's tag is not a cached class: a span, an aligned class, or a bad header. */
void hk_free_tagged(void *p);
/* A free of memory hakmem does not own. The hak_* library aborts naming the
 * address; the malloc override replaces this (see hakmem/override). */
void hk_free_foreign(void *p);
/* Debug builds: aborts naming the misuse if p is not a live block of class c
 * (interior pointer, beyond the carved part, or freed twice in a row). */
void hk_debug_check_free(void *p, unsigned c);
/* The block a freed pointer stands for, and its slab; aborts on a bad pointer. */
void *hk_block_resolve(hk_ss_t *ss, const void *p, hk_slab_t **slab);

HK_HOT void *hk_alloc(size_t size) {
  unsigned c;
  if (HK_LIKELY(size <= HK_TABLE_MAX))
    c = hk_tiny_class(size);
  else if (size <= HK_SMALL_MAX)
    c = hk_mid_class(size);
  else
    return hk_alloc_slow(size);
  void *p = hk_tls.head[c];
  if (HK_UNLIKELY(p == NULL))
    return hk_alloc_slow(size);
  hk_tls.head[c] = hk_next_load(p);
  hk_tls.room[c]++;
  HK_UNPOISON(p, size); /* the slot is poisoned whole while free */
  return p;
}

/* Pushes p, a block of this thread's heap whose class (or tag) is c. */
HK_HOT void hk_free_push(void *p, unsigned c) {
  /* The cache has an entry per class only (tls_cache.h). */
  if (HK_UNLIKELY(c >= HK_NUM_CLASSES)) {
    hk_free_tagged(p);
    return;
  }
  HK_DEBUG_ONLY(hk_debug_check_free(p, c));
  HK_POISON(p, hk_class_usable(c));
  hk_next_store(p, hk_tls.head[c]);
  hk_tls.head[c] = p;
  if (HK_UNLIKELY(--hk_tls.room[c] == 0))
    hk_free_overflow(p); /* p, not c: it is still in the argument register */
}

HK_HOT void hk_free(void *p) {
  if (HK_LIKELY(hk_registry_kind_fast(p) == hk_tls.reg_id)) {
#if HK_HDR
    hk_free_push(p, hk_hdr_load(p));
#else
    hk_free_push(p, hk_ss_of(p)->unit_cls[hk_unit_of(p)]);
#endif
    return;
  }
  hk_free_slow(p);
}

/* free of a block hk_alloc(size) returned, with that size (C++ sized delete).
 * Without the header, a tiny block's class comes from the size, not from the
 * SuperSlab's unit map (a load from another cache line), at the same cost: 34
 * instructions per new+delete pair either way (callgrind, release). With the
 * header the byte before the block is the cheapest lookup (29 instructions per
 * pair; from the size: 34), so this is hk_free. Not for C23 free_sized: realloc
 * keeps a block of a larger class in place, so the size a program passes there
 * need not name the block's class. Debug builds check the class. */
HK_HOT void hk_free_sized(void *p, size_t size) {
#if HK_HDR
  (void)size;
#else
  if (HK_LIKELY(size <= HK_TABLE_MAX && hk_registry_kind_fast(p) == hk_tls.reg_id)) {
    hk_free_push(p, hk_tiny_class(size));
    return;
  }
#endif
  hk_free(p);
}

#endif /* HAKMEM_BOX_TINY_FAST_H */
