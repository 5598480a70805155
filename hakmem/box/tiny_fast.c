#include "hakmem/box/tiny_fast.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hakmem/box/reclaim.h"
#include "hakmem/box/refill.h"
#include "hakmem/box/remote_free.h"
#include "hakmem/box/thread_exit.h"
#include "hakmem/core/large.h"
#include "hakmem/core/loader_memory.h"
#include "hakmem/core/misuse.h"
#include "hakmem/core/options.h"
#include "hakmem/core/os.h"
#include "hakmem/core/slab.h"
#include "hakmem/core/span.h"
#include "hakmem/core/stats.h"

void hk_corrupt_list(void *p) {
  hk_fatal("corrupt free list (a write into a freed block?): next block", p);
}

void hk_scrub_freed(void *p, unsigned c) {
  memset((char *)p + sizeof(void *), 0, hk_class_usable(c) - sizeof(void *));
}

void hk_check_scrubbed(void *p, unsigned c) {
  const unsigned char *b = p;
  size_t usable = hk_class_usable(c), i = sizeof(void *);
  uint64_t any = 0;
  for (; i + 8 <= usable; i += 8) { /* words: blocks are 16-byte aligned */
    uint64_t w;
    memcpy(&w, b + i, 8);
    any |= w;
  }
  for (; i < usable; i++)
    any |= b[i];
  if (any) {
    hk_misuse("write after free", p, "a byte of the freed block changed", c, 0);
    /* going on: the block is handed out as it is */
  }
}

/* The slow path's pop: a refill just made the list, so hardened builds also
 * check the head is in a SuperSlab before its header is read. */
static void *pop(hk_tls_t *t, unsigned c, size_t size) {
  void *p = t->head[c];
#if HAKMEM_HARDENED
  if (!hk_link_plausible(p) || !hk_reg_is_ss(hk_registry_kind(p)))
    hk_corrupt_list(p);
#endif
  p = hk_cache_pop(p, c, size);
#if HAKMEM_HARDENED
  if (hk_opt.zero_on_free)
    hk_check_scrubbed(p, c);
#endif
  return p;
}

/* The owner's part of a slow allocation (heap marked busy). */
static void *alloc_from_heap(hk_tls_t *t, size_t size, uint64_t now) {
  hk_reclaim_own(t, now);
  if (size > HK_SMALL_MAX) {
    /* Spans other threads freed first: a thread that allocates only spans
     * would otherwise map new SuperSlabs for ever (no refill collects). */
    hk_remote_collect_pending(t->heap);
    return hk_span_new(t->heap, size, HK_ALIGN);
  }
  unsigned c = hk_size_class(size);
  hk_large_tick(now); /* cached large mappings expire without a large operation too */
  /* The list may hold blocks now: attach pre-warms. With zero-on-free it is
   * always empty: one block at a time, so each reuse is checked here. */
  uint32_t batch = HAKMEM_HARDENED && hk_opt.zero_on_free ? 1 : hk_refill_batch_next(t->heap, c);
  if (!t->head[c] && hk_refill(t, c, batch, t->room[c] - 1) == 0) {
    errno = ENOMEM;
    return NULL;
  }
  return pop(t, c, size);
}

void *hk_alloc_slow(size_t size) {
  uint64_t now = hk_os_now_ms(); /* one clock read for all the slow path's timers */
  hk_reclaim_tick(now);
  if (size > HK_SPAN_MAX)
    return hk_large_alloc(size, HK_ALIGN, 0);
  hk_tls_t *t = &hk_tls;
  if (!t->heap && t->state == HK_THREAD_EXITED) {
    void *p = hk_thread_alloc_late(size);
    if (!p)
      errno = ENOMEM;
    return p;
  }
  if (!t->heap && !hk_thread_attach()) {
    errno = ENOMEM;
    return NULL;
  }
  hk_heap_t *heap = t->heap;
  hk_heap_enter(heap);
  void *p = alloc_from_heap(t, size, now);
  hk_heap_leave(heap);
  return p;
}

/* The reports of hk_block_resolve, by operation. */
const char *const hk_freed_what[] = {"double free", "realloc after free",
                                     "malloc_usable_size after free"};
const char *const hk_invalid_what[] = {"invalid free", "invalid realloc",
                                       "invalid malloc_usable_size"};

/* hk_block_resolve, inlined into free_block (the remote free's path), with
 * own: whether ss is the calling thread's heap's. */
static inline __attribute__((always_inline)) void *resolve(hk_ss_t *ss, const void *p,
                                                           hk_slab_t **slab, hk_op_t op, int own) {
  void *b = (void *)p;
  if ((uintptr_t)p & (HK_ALIGN - 1)) {
    hk_misuse(hk_invalid_what[op], p, "misaligned: not a block hakmem handed out", HK_NO_CLASS, 0);
    return NULL;
  }
  if (hk_unit_of(p) == 0) { /* unit 0 is the SuperSlab header */
    hk_misuse(hk_invalid_what[op], p, "inside a SuperSlab header", HK_NO_CLASS, 0);
    return NULL;
  }
  hk_slab_t *s = hk_slab_of(ss, b);
  if (s->cls == HK_TAG_SPAN) {
    if (b != s->base) {
      hk_misuse(hk_invalid_what[op], p, "not the start of a span", HK_NO_CLASS, hk_span_usable(s));
      return NULL;
    }
#if HK_HDR
    if (hk_hdr_load(b) != HK_TAG_SPAN) {
      hk_misuse(hk_freed_what[op], p, "span", HK_NO_CLASS, hk_span_usable(s));
      return NULL;
    }
#endif
    *slab = s;
    return b;
  }
  /* cls and base are fixed while the slab has blocks out; carved moves, and
   * only the owner may read it. The division (block start) is the costly
   * check: release builds with the header rely on the header byte matching
   * the slab's class instead. */
  if (HAKMEM_HARDENED && s->cls != HK_TAG_SPAN &&
      hk_hdr_load(b) == (HK_TAG_SPAN & ~HK_TAG_FREED_BIT)) {
    hk_misuse(hk_freed_what[op], p, "span", HK_NO_CLASS, 0);
    return NULL;
  }
  if (HK_UNLIKELY(s->cls >= HK_NUM_CLASSES)) {
    if (s->cls >= HK_SLAB_CLASSES) {
      hk_misuse(hk_invalid_what[op], p, "not in a slab in use", HK_NO_CLASS, 0);
      return NULL;
    }
    /* An aligned class without the header: a block start of the slab (a
     * multiply; its owner also checks that it was carved) is its check. */
    if (HK_HDR && !HK_ALIGNED_HDR) {
      if ((const char *)b < s->base ||
          hk_class_block_index(s->cls, (uint64_t)((const char *)b - s->base)) >=
              (own ? s->carved : s->capacity)) {
        hk_misuse(hk_invalid_what[op], p, "not a block hakmem handed out", s->cls, 0);
        return NULL;
      }
      *slab = s;
      return b;
    }
  }
  if (!hk_block_in_slab(s, b, own, !(HK_HDR && HAKMEM_BUILD_RELEASE) || HAKMEM_HARDENED)) {
    hk_misuse(hk_invalid_what[op], p, "not a block hakmem handed out", s->cls, 0);
    return NULL;
  }
#if HK_HDR
  unsigned hdr = hk_hdr_load(b);
  if (HAKMEM_HARDENED && hdr == hk_freed_tag(hk_class_tag(s->cls))) {
    hk_misuse(hk_freed_what[op], p, NULL, s->cls, 0);
    return NULL;
  }
  if (hdr != hk_class_tag(s->cls)) {
    hk_misuse(hk_invalid_what[op], p, "corrupt block header: a buffer overflow before this block?",
              s->cls, 0);
    return NULL;
  }
#endif
  *slab = s;
  return b;
}

void *hk_block_resolve(hk_ss_t *ss, const void *p, hk_slab_t **slab, hk_op_t op) {
  void *b = resolve(ss, p, slab, op, ss->heap == hk_tls.heap);
#if !HAKMEM_BUILD_RELEASE
  /* Debug builds: the block this thread freed last of its class (the check
   * of each free's). realloc would move it and free it again: "double free". */
  if (b && op != HK_OP_FREE && (*slab)->cls < HK_NUM_CLASSES && hk_tls.head[(*slab)->cls] == b) {
    hk_misuse(hk_freed_what[op], p, NULL, (*slab)->cls, 0);
    return NULL;
  }
#endif
  return b;
}

int hk_debug_check_free(void *p, unsigned c) {
  hk_slab_t *s = hk_slab_of(hk_ss_of(p), p);
  if (s->cls != c || !hk_block_in_slab(s, p, 1, 1))
    hk_misuse("invalid free", p, "not a block hakmem handed out", c, 0);
  else if (hk_tls.head[c] == p)
    hk_misuse("double free", p, NULL, c, 0);
  else
    return 1;
  return 0; /* reported (HAKMEM_ABORT_ON_ERROR=0): the fast path leaves p alone */
}

static void free_local(hk_tls_t *t, unsigned c, void *b) {
  if (HAKMEM_HARDENED && hk_opt.zero_on_free) { /* keep the list empty (see hk_scrub_freed) */
    hk_heap_enter(t->heap);
    hk_slab_put(t->heap, hk_slab_of(hk_ss_of(b), b), b);
    hk_stat_blocks(&t->heap->ctr, c, -1);
    hk_heap_leave(t->heap);
    return;
  }
  HK_POISON(b, hk_class_usable(c));
  hk_next_store(b, t->head[c]);
  t->head[c] = b;
  if (--t->room[c] == 0) {
    hk_heap_enter(t->heap);
    hk_spill(t, c, hk_cache_cap(c) / 2);
    hk_heap_leave(t->heap);
  }
}

/* A free of b (p, resolved), a block of the calling thread's heap. Keeps errno:
 * a spill or a span's free may make system calls. */
static HK_NOINLINE void free_own(hk_tls_t *t, hk_slab_t *s, void *b, void *p) {
  int saved = errno;
  if (s->cls == HK_TAG_SPAN) {
    hk_heap_enter(t->heap);
    hk_span_free(t->heap, s);
    hk_heap_leave(t->heap);
  } else if (s->cls >= HK_NUM_CLASSES) { /* an aligned class: no thread cache */
    hk_heap_enter(t->heap);              /* the slab's list, which maintenance may also change */
    if (s->free == b) {                  /* else the slab's free list would loop */
      hk_misuse("double free", p, NULL, s->cls, 0);
    } else {
      HK_POISON(b, hk_class_usable(s->cls));
      hk_stat_blocks(&t->heap->ctr, s->cls, -1);
      hk_slab_put(t->heap, s, b);
    }
    hk_heap_leave(t->heap);
  } else {
    free_local(t, s->cls, b); /* the heap changes only if it spills */
  }
  errno = saved;
}

int hk_shrink_span(void *p, size_t size) {
  hk_tls_t *t = &hk_tls;
  hk_ss_t *ss = hk_ss_of(p);
  hk_slab_t *s = hk_slab_of(ss, p);
  if (s->cls != HK_TAG_SPAN)
    return 0;
  if (!t->heap || ss->heap != t->heap)
    return 1; /* another heap's: its pages stay as they are until it is freed */
  int saved = errno;
  hk_heap_enter(t->heap);
  hk_span_shrink(t->heap, s, size);
  hk_heap_leave(t->heap);
  errno = saved;
  return 1;
}

/* The remote free's path is this function's own, with no registers to save:
 * it makes no system call (errno stays) but into a pooled heap (reclaim.c). */
static void free_block(void *p) {
  hk_ss_t *ss = hk_ss_of(p);
  hk_slab_t *s;
  hk_tls_t *t = &hk_tls;
  /* A thread that has not allocated yet (or has exited) owns no heap: its
   * frees are remote, and it does not make a heap just to free. */
  int own = t->heap && ss->heap == t->heap;
  void *b = resolve(ss, p, &s, HK_OP_FREE, own);
  if (!b)
    return; /* reported; leaked */
#if HAKMEM_HARDENED
  /* Freed: a second free of b says double free, from any thread. */
  hk_hdr_store(b, s->cls == HK_TAG_SPAN ? HK_TAG_SPAN & ~HK_TAG_FREED_BIT
                                        : hk_freed_tag(hk_class_tag(s->cls)));
  if (hk_opt.zero_on_free && s->cls != HK_TAG_SPAN)
    hk_scrub_freed(b, s->cls);
#endif
  if (own) {
    free_own(t, s, b, p);
    return;
  }
  HK_POISON(b, s->cls == HK_TAG_SPAN ? hk_span_usable(s) : hk_class_usable(s->cls));
  hk_heap_t *heap = ss->heap; /* ss may be gone after the free */
  hk_remote_free(ss, s, b);
  hk_reclaim_after_remote_free(heap);
}

/* Under LD_PRELOAD, memory the dynamic loader allocated before hakmem was bound
 * can reach free(); it is not ours to reuse, and leaking it is the only safe
 * answer. Any other pointer hakmem does not own is a misuse. */
void hk_free_foreign(void *p) {
  if (!hk_loader_memory(p))
    hk_misuse("invalid free", p, "not hakmem's memory", HK_NO_CLASS, 0);
}

/* A large block or foreign memory; a function of its own so that the remote
 * free's path through hk_free_slow saves no registers. */
static HK_NOINLINE void free_not_in_slab(void *p, unsigned kind) {
  int saved = errno;
  if (hk_reg_is_large(kind))
    hk_large_free(p);
  else
    hk_free_foreign(p);
  errno = saved;
}

void hk_free_slow(void *p) {
  if (!p)
    return;
  unsigned kind = hk_registry_kind(p);
  if (hk_reg_is_ss(kind))
    free_block(p); /* keeps errno itself: not on a remote free's path */
  else
    free_not_in_slab(p, kind);
}

void hk_free_overflow(void *pushed) {
  hk_tls_t *t = &hk_tls;
  /* The entry the fast path pushed onto, as it chose it (with or without the header). */
  unsigned c = hk_ss_of(pushed)->unit_slot[hk_unit_of(pushed)];
  if (!HK_FREE_RANGE_CHECK && c == HK_CACHE_SPARE) {
    /* Pushed onto the spare entry: take it back (the entry was empty) and
     * resolve it the slow way. */
    t->head[HK_CACHE_SPARE] = NULL;
    t->room[HK_CACHE_SPARE] = 1;
    hk_free_tagged(pushed);
    return;
  }
  hk_heap_enter(t->heap);
  hk_spill(t, c, hk_cache_cap(c) / 2);
  hk_heap_leave(t->heap);
}

void hk_free_tagged(void *p) {
  /* The header's tag; the unit's class where blocks have no header (no header
   * at all, or an aligned class: HK_ALIGNED_HDR). */
  unsigned tag = hk_ss_of(p)->unit_cls[hk_unit_of(p)];
  unsigned c = tag < HK_SLAB_CLASSES ? tag : HK_NO_CLASS;
  if (HK_HDR && hk_class_hdr(tag)) {
    tag = hk_hdr_load(p);
    c = hk_tag_class_of(tag);
  }
  /* Hardened: resolving says what is wrong (a freed header: a double free). */
  if (!HAKMEM_HARDENED && tag != HK_TAG_SPAN && !(c >= HK_NUM_CLASSES && c < HK_SLAB_CLASSES)) {
    hk_misuse("invalid free", p,
              HK_HDR ? "no block header: a corrupt header or not a block" : "not in a slab in use",
              HK_NO_CLASS, 0);
    return;
  }
  free_block(p);
}
