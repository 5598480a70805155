/* Box: the tiny (and mid) alloc/free fast path.
 *
 * Owns: nothing but code; it pops from and pushes on the thread cache.
 * alloc: size -> class, pop the class's list, room + 1.
 * free:  the registry byte is this thread's heap id (a block of its own heap),
 *        class from the SuperSlab's unit map (unit_slot), the header byte
 *        checked against the unit's tag (unit_tag; builds without the header
 *        have no check), push, room - 1; a full cache takes the overflow path.
 *        Not the class from the header: the push would wait for the block's
 *        line, a cache miss for a block the program has not touched lately
 *        (rubyish 30 % slower); the unit map and the check cost 6 instructions
 *        (36 per pair, against 30).
 * Everything else (empty list, first use of a thread, another thread's block,
 * large blocks, NULL, foreign pointers, a header that is not its unit's tag,
 * spans and aligned classes) goes to a noinline slow path.
 * Hardened builds (HAKMEM_HARDENED) also check each pop (the link is plausible,
 * the block's header says free) and each push (the block is one of its slab's,
 * before its header is trusted) and flip the header's free bit.
 * Invariants: no locks, no atomic read-modify-writes, no option branches; an
 * uninitialised thread has heap == NULL and empty lists, so it needs no check.
 * Who: the hak_* API and the malloc override. */
#ifndef HAKMEM_BOX_TINY_FAST_H
#define HAKMEM_BOX_TINY_FAST_H

#include <stddef.h>

#include "hakmem/box/tls_cache.h"
#include "hakmem/core/debug.h"
#include "hakmem/core/misuse.h"
#include "hakmem/core/registry.h"

/* Whether hk_free_push checks for a tag that is no cached class before it
 * pushes: all but the shipped build (release, header on, not hardened). */
#define HK_FREE_RANGE_CHECK (!HAKMEM_BUILD_RELEASE || HAKMEM_HARDENED || HK_ASAN)

void *hk_alloc_slow(size_t size);
void hk_free_slow(void *p);
/* The cache of p's class reached its cap, or p went onto the spare entry. */
void hk_free_overflow(void *p);
/* p's tag is not a cached class: a span, an aligned class, or a bad header. */
void hk_free_tagged(void *p);
/* A free of memory hakmem does not own: a misuse, unless it is the dynamic
 * loader's early memory (core/loader_memory.h), which is leaked. */
void hk_free_foreign(void *p);
/* Debug builds: whether p is a live block of class c; if not (interior
 * pointer, beyond the carved part, or freed twice in a row) it reports the
 * misuse, and returns 0 if it returns (HAKMEM_ABORT_ON_ERROR=0). */
int hk_debug_check_free(void *p, unsigned c);
/* What a caller of hk_block_resolve is doing with p, for its reports, and the
 * reports' names: of a freed block, and of a pointer that is no block. */
typedef enum { HK_OP_FREE, HK_OP_REALLOC, HK_OP_USABLE_SIZE } hk_op_t;
extern const char *const hk_freed_what[], *const hk_invalid_what[];
/* The block a pointer stands for, and its slab; reports a bad pointer (one
 * line naming op) and returns NULL. */
void *hk_block_resolve(hk_ss_t *ss, const void *p, hk_slab_t **slab, hk_op_t op);
/* realloc's shrink of p, a live block of a SuperSlab, to size bytes (more than
 * HK_SMALL_MAX): whether p is a span, which then stays in place. A span of this
 * thread's heap gives the pages past size back; another heap's keeps them until
 * it is freed (only the owner changes its pages; a move would copy and fault in
 * more than it keeps). A slab's block moves. */
int hk_shrink_span(void *p, size_t size);
/* Hardened: a thread-cache list led to p, which is not a free block of its class. */
__attribute__((noreturn)) void hk_corrupt_list(void *p);
/* Hardened, HAKMEM_ZERO_ON_FREE=1: a freed block of class c is zeroed (all but
 * its link word) and checked when reused. The fast path never sees such a
 * thread: its registry id is none (every free is slow) and its lists stay empty
 * (every alloc is slow), so the option costs the fast path nothing. */
void hk_scrub_freed(void *p, unsigned c);
void hk_check_scrubbed(void *p, unsigned c);

/* Hardened: whether a link decoded from a free list can be a block: 16-byte
 * aligned user-space address. A link overwritten after free decodes to a
 * random word, which fails this but for 1 in 2^21; the header check follows. */
HK_HOT int hk_link_plausible(const void *p) {
  return ((uintptr_t)p & (~(((uintptr_t)1 << 47) - 1) | (HK_ALIGN - 1))) == 0;
}

#if HAKMEM_HARDENED
/* Whether p, freed into this thread's heap (registry checked) as a block of
 * cached class c (from its header), is a block start of a slab of class c,
 * before anything is written: SuperSlab headers (unit 0 has no class),
 * misaligned and interior pointers, forged headers fail, and take the slow
 * path, which says which. */
HK_HOT int hk_hardened_free_ok(const void *p, unsigned c) {
  unsigned unit = hk_unit_of(p);
  hk_ss_t *ss = hk_ss_of(p);
  if (ss->unit_cls[unit] != c)
    return 0;
  const hk_slab_t *s = &ss->slabs[ss->unit_slab[unit]];
  return hk_class_block_index(c, (uint64_t)((const char *)p - s->base)) < s->carved;
}
#endif

/* Pops p, the head of the thread cache's list c (not NULL), for a request of
 * size bytes: the one pop of the cache, fast and slow paths alike. */
HK_HOT void *hk_cache_pop(void *p, unsigned c, size_t size) {
#if HAKMEM_HARDENED
  /* A decoded link is plausible, and a free block of this class. */
  if (HK_UNLIKELY(!hk_link_plausible(p) || hk_hdr_load(p) != hk_freed_tag(hk_class_tag(c))))
    hk_corrupt_list(p);
  hk_hdr_store(p, hk_class_tag(c));
#endif
  hk_tls.head[c] = hk_next_load(p);
  hk_tls.room[c]++;
  HK_UNPOISON(p, size); /* the slot is poisoned whole while free */
  return p;
}

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
  return hk_cache_pop(p, c, size);
}

/* Pushes p, a block of this thread's heap whose class (or tag) is c. */
HK_HOT void hk_free_push(void *p, unsigned c) {
  /* c may be HK_CACHE_SPARE (no cached class): the shipped build lets it take
   * the overflow path through the spare entry; builds that check or poison
   * send it to the slow path here. */
  if (HK_FREE_RANGE_CHECK && HK_UNLIKELY(c >= HK_NUM_CLASSES)) {
    hk_free_tagged(p);
    return;
  }
#if !HAKMEM_BUILD_RELEASE
  if (HK_UNLIKELY(!hk_debug_check_free(p, c)))
    return; /* reported: leaked */
#endif
#if HAKMEM_HARDENED
  if (HK_UNLIKELY(!hk_hardened_free_ok(p, c))) {
    hk_free_slow(p);
    return;
  }
  hk_hdr_store(p, hk_freed_tag(hk_class_tag(c)));
#endif
  HK_POISON(p, hk_class_usable(c));
  hk_next_store(p, hk_tls.head[c]);
  hk_tls.head[c] = p;
  if (HK_UNLIKELY(--hk_tls.room[c] == 0))
    hk_free_overflow(p); /* p, not c: it is still in the argument register */
}

/* Frees p, whose registry byte is this thread's heap id. */
HK_HOT void hk_free_own(void *p) {
  hk_ss_t *ss = hk_ss_of(p);
  unsigned u = hk_unit_of(p);
  /* With the header, the byte must be the unit's tag: the check is off the
   * push's path (a branch, predicted), not a load the push waits for. */
  if (HK_HDR && HK_UNLIKELY(hk_hdr_load(p) != ss->unit_tag[u])) {
    hk_free_slow(p);
    return;
  }
  hk_free_push(p, ss->unit_slot[u]);
}

HK_HOT void hk_free(void *p) {
  if (HK_LIKELY(hk_registry_kind_fast(p) == hk_tls.reg_id)) {
    hk_free_own(p);
    return;
  }
  hk_free_slow(p);
}

/* free of a block hk_alloc(size) returned, with that size (C++ sized delete):
 * a tiny block's class comes from the size, not from the SuperSlab's unit map,
 * and the header is checked against that class's tag, as hk_free checks it
 * against the unit's: a size that is not the block's, or a block that is no
 * tiny one, fails and takes the slow path, which resolves it. 33 instructions
 * per new+delete pair against hk_free's 35 (callgrind, phase7). Without the
 * header nothing but the unit map could check the size, and an unchecked size
 * of another class files the block in that class's list (30 per pair, but a
 * silent corruption): there it is hk_free. Not for C23 free_sized: realloc
 * keeps a block of a larger class in place, so the size a program passes there
 * need not name the block's class. */
HK_HOT void hk_free_sized(void *p, size_t size) {
#if HK_HDR
  if (HK_UNLIKELY(hk_registry_kind_fast(p) != hk_tls.reg_id)) {
    hk_free_slow(p);
    return;
  }
  if (HK_UNLIKELY(size > HK_TABLE_MAX)) {
    hk_free_own(p);
    return;
  }
  if (HK_UNLIKELY(hk_hdr_load(p) != hk_tiny_tag(size))) {
    hk_free_slow(p);
    return;
  }
  hk_free_push(p, hk_tiny_class(size));
#else
  (void)size;
  hk_free(p);
#endif
}

#endif /* HAKMEM_BOX_TINY_FAST_H */
