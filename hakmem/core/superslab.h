/* SuperSlabs: the types every core layer shares, and the unit allocator.
 *
 * A SuperSlab is a 2 MiB aligned region from the OS module, registered in the
 * registry, owned by one heap for its whole life (ss->heap never changes). Unit
 * 0 holds this header; units 1..31 are carved into slabs (slab.h), a slab being
 * a run of units serving one size class, or into spans (span.h), runs of pages
 * that may share a unit with another span. The SuperSlab of a
 * block is p & ~(2 MiB - 1); its slab descriptor is found through unit_slab[]:
 * O(1), no search. This file owns the units: claiming runs of them from a
 * heap's SuperSlabs (mapping a new one when none has room; found through the
 * heap's room bins and warm list, not a walk of every SuperSlab), taking them back,
 * and giving dirty ones back to the OS after the purge delay. The pool of heaps
 * is heap.h.
 *
 * A heap owns SuperSlabs and, per class, a list of slabs that still have free
 * or uncarved blocks. Its type is here because the unit allocator works on a
 * heap's list of SuperSlabs with free units; what a heap is, and its pool, is
 * heap.h.
 *
 * Owner-only fields need no synchronisation. Fields other threads touch are
 * marked and atomic: slab->remote, slab->qnext, heap->rq.
 * Invariant: a slab's `used` counts blocks handed out of it (thread caches,
 * user, pending remote) and is 0 exactly when the slab may be released.
 *
 * Whole free SuperSlabs go back to the OS (munmap): a heap keeps one spare
 * (so a thread cycling around one slab does not map and unmap), and a pooled
 * heap gives its spare up too at its next maintenance once the purge delay has
 * passed (box/reclaim) or at malloc_trim. A remote freer touches its slab after
 * the CAS that hands its block over only if that CAS marked the slab queued
 * (box/remote_free.h): it then links the slab on its heap's queue (heaps are
 * never freed). Until it has, the owner cannot collect the block, so the slab
 * is not empty; a SuperSlab is unmapped only when it is wholly free and none of
 * its slabs has remote blocks or the queued mark. Otherwise it stays,
 * decommitted, and the next purge tries again. Its registry bytes are cleared
 * first, so a stale pointer into it is foreign. A legitimate free can no longer
 * target it: it has no blocks out. Callers: slab.c, span.c, heap.c. Not on the
 * hot path. */
#ifndef HAKMEM_CORE_SUPERSLAB_H
#define HAKMEM_CORE_SUPERSLAB_H

#include <stdatomic.h>
#include <stdint.h>

#include "hakmem/core/config.h"
#include "hakmem/core/debug.h"
#include "hakmem/core/size_class.h"
#include "hakmem/core/stats.h"

/* Not a class: as a tag it sends a free into an unused slab to the slow path. */
#define HK_SLAB_UNUSED 0xFF
/* slab->remote is the head of the slab's remote list with this bit set while
 * the slab is on (or being linked on) its heap's queue (box/remote_free.h). */
#define HK_REMOTE_QUEUED ((uintptr_t)1)

/* Three cache lines, so that a thread freeing remotely into a slab (reading the
 * first, writing the third) does not fight its owner's refills (the second). */
typedef struct hk_slab {
  /* Set when the slab is made; read by any thread that frees into it. */
  char *base; /* first block */
  uint32_t capacity;
  uint8_t cls;
  uint8_t units;
  uint16_t page0, pages; /* a span's run of pages in its SuperSlab */
  char *guard;           /* a span's usable end, where its guard starts (hardened; guard.h) */
  /* Owner only. */
  _Alignas(64) void *free;     /* locally freed blocks */
  void *free_tail;             /* last of them: refill splices the list whole */
  uint32_t nfree;              /* how many */
  struct hk_slab *next, *prev; /* heap->partial[cls] list */
  uint32_t used;
  uint32_t carved;
  uint8_t in_partial;
  /* Written by remote freers. Never reset by slab (re)initialisation. */
  _Alignas(64) _Atomic(uintptr_t) remote; /* blocks freed by other threads | HK_REMOTE_QUEUED */
  struct hk_slab *qnext;
} hk_slab_t;

struct hk_heap;

typedef struct hk_ss {
  struct hk_heap *heap;     /* immutable */
  struct hk_ss *next_avail; /* heap->avail list: SuperSlabs with free units */
  struct hk_ss *next_ss;    /* heap->all_ss list: every SuperSlab of the heap */
  /* heap->room[room_bin] list (room_bin 0: on none): SuperSlabs by the longest
   * run of pages a span may take (room_max), so that a span's search looks only
   * where it may fit, not at every SuperSlab (superslab.c). Owner only. */
  struct hk_ss *room_next, *room_prev;
  uint16_t room_max;
  uint8_t room_bin;
  /* Dirty units a slab gave back (its pages carved, so likely resident; a
   * span's seldom are), and the heap->warm list of SuperSlabs with any: a
   * slab's claim takes them first (superslab.c). Owner only. */
  uint32_t warm_units;
  uint8_t in_warm;
  struct hk_ss *warm_next, *warm_prev;
  uint32_t free_units;        /* bitmap, owner only */
  uint32_t dirty_units;       /* free and still committed: purge candidates */
  uint32_t decommitted_units; /* free and given back to the OS */
  /* Per dirty unit, when it became free (hk_os_now_ms, mod 2^32): a unit goes
   * back to the OS once it has been free for the purge delay, not when the
   * heap's first purge comes due, so a program cycling through its memory
   * does not fault it in again each delay (xmalloc-test: 117k faults in 3 s). */
  uint32_t freed_ms[HK_UNITS_PER_SS];
  /* Per unit, its pages that spans use (owner only): a unit spans share is
   * neither free nor a slab's, and its other pages may take another span. */
  uint16_t span_pages[HK_UNITS_PER_SS];
  /* The pages a span may take: those of free units, and of units spans share
   * the pages no span uses (a bit per page). */
  uint64_t span_room[HK_SS_SIZE / HK_PAGE_SIZE / 64];
  /* The pages carving has written into (a bit per page, owner only), cleared
   * when their unit goes back to the OS: a refill carves freely into these
   * and into a new one only as far as it must (box/refill.c). */
  uint64_t carved_pages[HK_SS_SIZE / HK_PAGE_SIZE / 64];
  uint8_t in_avail;
  uint8_t unit_slab[HK_UNITS_PER_SS]; /* unit -> first unit of its slab */
  /* unit -> class of its slab (HK_SLAB_UNUSED if none): the class of a block
   * without touching the block, for builds without the header byte. */
  uint8_t unit_cls[HK_UNITS_PER_SS];
  /* unit -> the thread-cache entry its free pushes onto (HK_SS_SLOT_OF): the
   * class if cached, else the spare entry, so that the free fast path needs no
   * range check (box/tls_cache.h). */
  uint8_t unit_slot[HK_UNITS_PER_SS];
  /* unit -> the header byte of a live block there (HK_SS_TAG_OF): its class's
   * tag if the class is cached, else HK_TAG_NONE. With the header on, the
   * free fast path takes the class from unit_slot and checks the block's
   * header against this: the push never waits for the block's line, which a
   * program freeing blocks it has not touched for long (an interpreter's
   * sweep) misses in cache (rubyish 5.1 -> 6.5M ops/s). */
  uint8_t unit_tag[HK_UNITS_PER_SS];
  hk_slab_t slabs[HK_UNITS_PER_SS]; /* descriptor at a slab's first unit */
} hk_ss_t;

/* Whether carving has written into the page of ss that holds p, and marking
 * that it has. */
static inline int hk_ss_page_carved(const hk_ss_t *ss, const void *p) {
  size_t page = (size_t)((const char *)p - (const char *)ss) / HK_PAGE_SIZE;
  return (int)(ss->carved_pages[page / 64] >> (page % 64)) & 1;
}
static inline void hk_ss_mark_carved(hk_ss_t *ss, const void *p) {
  size_t page = (size_t)((const char *)p - (const char *)ss) / HK_PAGE_SIZE;
  ss->carved_pages[page / 64] |= (uint64_t)1 << (page % 64);
}

/* The unit_slot of a slab of class (or tag) c: HK_NUM_CLASSES is the thread
 * cache's spare entry (HK_CACHE_SPARE). */
#define HK_SS_SLOT_OF(c) ((c) < HK_NUM_CLASSES ? (c) : HK_NUM_CLASSES)
/* The unit_tag of a slab of class (or tag) c. */
#define HK_SS_TAG_OF(c) ((c) < HK_NUM_CLASSES ? hk_class_tag(c) : HK_TAG_NONE)

typedef struct hk_heap_stats {
  uint64_t refills, spills, remote_frees_collected, slabs_made, slabs_released, ss_mapped;
  uint64_t ss_searched; /* SuperSlabs a claim's search looked at (tests/pages/span_room_test) */
} hk_heap_stats_t;

/* Bins of SuperSlabs by room_max: four per doubling (superslab.c, room_bin_of). */
#define HK_ROOM_BINS 32

typedef struct hk_heap {
  hk_slab_t *partial[HK_SLAB_CLASSES];
  hk_ss_t *avail;
  hk_ss_t *room[HK_ROOM_BINS];
  hk_ss_t *warm;
  hk_ss_t *all_ss;
  hk_ss_t *spare_ss; /* a wholly free SuperSlab kept for reuse */
  /* Non-zero while its owner is changing it (refill, spill, collect, trim,
   * attach, detach): a fork child cannot trust such a heap (heap.h). */
  _Atomic uint32_t busy;
  struct hk_heap *next_pool;
  struct hk_heap *next_all;       /* every heap ever made (they are never freed) */
  uint64_t pooled_at;             /* when it was pooled (hk_os_now_ms) */
  size_t pooled_kept;             /* bytes its pool time keeps dirty (superslab.c) */
  _Atomic uint64_t active_at;     /* its owner's last slow-path allocation */
  uint64_t purge_at;              /* when the next dirty units are due to go back; 0: none */
  uint64_t decay_at;              /* when its owner next halves its thread cache (reclaim.c) */
  uint8_t reg_id;                 /* this heap's registry byte: 1..HK_REG_MAX_HEAP_ID or shared */
  hk_heap_stats_t stats;          /* debug builds only */
  hk_heap_counters_t ctr;         /* hak_stats_get's (core/stats.h) */
  uint16_t batch[HK_NUM_CLASSES]; /* its owner's next refill batch (box/refill.h) */
  /* What remote freers touch, on a line of its own: the owner writes busy and
   * active_at on every slow path, and a shared line would bounce between them. */
  _Alignas(64) _Atomic(hk_slab_t *) rq; /* slabs with remote frees to collect (MPSC) */
  /* 1 while in the pool (written under the pool lock; read without it as a
   * hint by remote freers). A pooled heap has no thread to reuse its empty
   * slabs: they are released at once, their units kept while the pooled heaps
   * keep less than 16 MiB together, else purged at once (superslab.c). */
  _Atomic uint8_t pooled;
} hk_heap_t;

#if HAKMEM_BUILD_RELEASE
#define HK_STAT(heap, field) ((void)0)
#else
#define HK_STAT(heap, field) ((heap)->stats.field++)
#endif

/* Around every change an owner makes to its heap. Sequentially consistent:
 * the mark is in memory before the first change (a fork's snapshot of this
 * thread's stores is in their order); nests. Slow paths only.
 * Another thread may take an idle heap over for a moment (hk_heap_try_take:
 * only while its owner is outside, and only under the pool lock, so never
 * across a fork); an owner entering meanwhile waits for it to finish. */
#define HK_HEAP_TAKEN 0x80000000u
void hk_heap_wait_taken(hk_heap_t *heap);
static inline void hk_heap_enter(hk_heap_t *heap) {
  if (HK_UNLIKELY(atomic_fetch_add(&heap->busy, 1) & HK_HEAP_TAKEN))
    hk_heap_wait_taken(heap);
}
static inline void hk_heap_leave(hk_heap_t *heap) { atomic_fetch_sub(&heap->busy, 1); }
static inline int hk_heap_try_take(hk_heap_t *heap) {
  uint32_t idle = 0;
  return atomic_compare_exchange_strong(&heap->busy, &idle, HK_HEAP_TAKEN);
}
static inline void hk_heap_give_back(hk_heap_t *heap) {
  atomic_fetch_sub(&heap->busy, HK_HEAP_TAKEN);
}

static inline hk_ss_t *hk_ss_of(const void *p) {
  return (hk_ss_t *)((uintptr_t)p & ~(uintptr_t)(HK_SS_SIZE - 1));
}

static inline unsigned hk_unit_of(const void *p) {
  return (unsigned)(((uintptr_t)p >> HK_UNIT_SHIFT) & (HK_UNITS_PER_SS - 1));
}

static inline hk_slab_t *hk_slab_of(hk_ss_t *ss, const void *p) {
  unsigned unit = (unsigned)(((uintptr_t)p >> HK_UNIT_SHIFT) & (HK_UNITS_PER_SS - 1));
  return &ss->slabs[ss->unit_slab[unit]];
}

/* Claims a run of `units` units for a slab of class (or tag) c whose first
 * block is `offset` bytes in, and fills in what every slab has (base, cls,
 * units; counters zero); NULL + ENOMEM. */
hk_slab_t *hk_units_claim(hk_heap_t *heap, unsigned units, unsigned c, size_t offset);
/* Gives the units of an emptied slab back to its SuperSlab, dirty: they go
 * back to the OS after the purge delay. */
void hk_units_release(hk_heap_t *heap, hk_slab_t *s);
/* Claims a run of `pages` pages (units shared with other spans, or free ones)
 * for a span whose block starts `offset` bytes in, at a multiple of `align`
 * (a power of two to HK_UNIT_SIZE); its descriptor is that of the unit the
 * block starts in (no other span's block starts there: a span is longer than a
 * unit). Fills in base, cls, page0, pages; counters zero. NULL + ENOMEM. */
hk_slab_t *hk_pages_claim(hk_heap_t *heap, unsigned pages, size_t offset, size_t align);
/* Gives a span's pages back; units left with no span go back as slabs' do.
 * Pages of a unit another span still uses stay committed until it goes. */
void hk_pages_release(hk_heap_t *heap, hk_slab_t *s);
/* Gives a span's pages past its first `pages` back, as hk_pages_release gives
 * all of them; it keeps more than a unit, so that no other block can start in
 * its descriptor's unit. */
void hk_pages_shrink(hk_heap_t *heap, hk_slab_t *s, unsigned pages);
/* Which dirty units hk_heap_purge gives back: all of them (malloc_trim, a
 * purge delay of 0, an idle or pooled heap), or those free for the purge
 * delay (the timer's purge). */
typedef enum { HK_PURGE_ALL, HK_PURGE_AGED } hk_purge_t;
/* Gives dirty units back to the OS now, and unmaps the wholly free SuperSlabs
 * that may be (the spare too with drop_spare) and have none left dirty;
 * schedules the next purge for the units left; whether there was anything. */
int hk_heap_purge(hk_heap_t *heap, hk_purge_t how);
/* The heap's kept bytes leave the pooled heaps' budget: it left the pool, or
 * gave them back. */
void hk_heap_unkeep(hk_heap_t *heap);
int hk_heap_unmap_free(hk_heap_t *heap, int drop_spare);

#endif /* HAKMEM_CORE_SUPERSLAB_H */
