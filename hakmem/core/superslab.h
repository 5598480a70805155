/* SuperSlabs, slabs and heaps.
 *
 * A SuperSlab is a 2 MiB aligned region from the OS module, registered in the
 * registry, owned by one heap for its whole life (ss->heap never changes). Unit
 * 0 holds this header; units 1..31 are carved into slabs, a slab being a run of
 * units serving one size class. The SuperSlab of a block is p & ~(2 MiB - 1);
 * its slab descriptor is found through unit_slab[]: O(1), no search.
 *
 * A heap owns SuperSlabs and, per class, a list of slabs that still have free
 * or uncarved blocks. A heap is driven by one thread at a time; when that thread
 * exits the heap goes to a pool and the next new thread adopts it whole, so an
 * owner is always the heap, and ownership is a pointer compare.
 *
 * Owner-only fields need no synchronisation. Fields other threads touch are
 * marked and atomic: slab->remote, slab->queued, slab->qnext, heap->rq.
 * Invariant: a slab's `used` counts blocks handed out of it (thread caches,
 * user, pending remote) and is 0 exactly when the slab may be released. SuperSlab
 * headers are never unmapped, so a remote freer may touch a descriptor at any
 * time. Callers: refill, remote free, thread exit. Not on the hot path. */
#ifndef HAKMEM_CORE_SUPERSLAB_H
#define HAKMEM_CORE_SUPERSLAB_H

#include <stdatomic.h>
#include <stdint.h>

#include "hakmem/core/config.h"
#include "hakmem/core/debug.h"
#include "hakmem/core/size_class.h"

/* Not a class: as a tag it sends a free into an unused slab to the slow path. */
#define HK_SLAB_UNUSED 0xFF

/* Three cache lines, so that a thread freeing remotely into a slab (reading the
 * first, writing the third) does not fight its owner's refills (the second). */
typedef struct hk_slab {
  /* Set when the slab is made; read by any thread that frees into it. */
  char *base; /* first block */
  uint32_t capacity;
  uint8_t cls;
  uint8_t units;
  /* Owner only. */
  _Alignas(64) void *free;     /* locally freed blocks */
  void *free_tail;             /* last of them: refill splices the list whole */
  uint32_t nfree;              /* how many */
  struct hk_slab *next, *prev; /* heap->partial[cls] list */
  uint32_t used;
  uint32_t carved;
  uint8_t in_partial;
  /* Written by remote freers. Never reset by slab (re)initialisation. */
  _Alignas(64) _Atomic(void *) remote; /* blocks freed by other threads */
  _Atomic int queued;                  /* 1 while the slab sits in its heap's rq */
  struct hk_slab *qnext;
} hk_slab_t;

struct hk_heap;

typedef struct hk_ss {
  struct hk_heap *heap;       /* immutable */
  struct hk_ss *next_avail;   /* heap->avail list: SuperSlabs with free units */
  uint32_t free_units;        /* bitmap, owner only */
  uint32_t dirty_units;       /* free and still committed: purge candidates */
  uint32_t decommitted_units; /* free and given back to the OS */
  uint8_t in_avail;
  uint8_t unit_slab[HK_UNITS_PER_SS]; /* unit -> first unit of its slab */
  /* unit -> class of its slab (HK_SLAB_UNUSED if none): the class of a block
   * without touching the block, for builds without the header byte. */
  uint8_t unit_cls[HK_UNITS_PER_SS];
  hk_slab_t slabs[HK_UNITS_PER_SS]; /* descriptor at a slab's first unit */
} hk_ss_t;

typedef struct hk_heap_stats {
  uint64_t refills, spills, remote_frees_collected, slabs_made, slabs_released, ss_mapped;
} hk_heap_stats_t;

typedef struct hk_heap {
  hk_slab_t *partial[HK_NUM_CLASSES];
  hk_ss_t *avail;
  _Atomic(hk_slab_t *) rq; /* slabs with remote frees to collect (MPSC) */
  struct hk_heap *next_pool;
  struct hk_heap *next_all; /* every heap ever made (they are never freed) */
  uint8_t pooled;
  uint64_t purge_at;     /* when dirty units go back to the OS; 0: none pending */
  uint8_t reg_id;        /* this heap's registry byte: 1..HK_REG_MAX_HEAP_ID or shared */
  hk_heap_stats_t stats; /* debug builds only */
} hk_heap_t;

#if HAKMEM_BUILD_RELEASE
#define HK_STAT(heap, field) ((void)0)
#else
#define HK_STAT(heap, field) ((heap)->stats.field++)
#endif

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

/* Spans: one block over a run of whole units, for requests from HK_SMALL_MAX
 * to HK_SPAN_MAX. The slab's class is HK_TAG_SPAN, as is the block's header
 * byte, so a free of a span takes the slow path; no thread caches them. */
#define HK_SPAN_OFFSET ((size_t)64) /* block start from the run's start */
#define HK_SPAN_MAX    ((size_t)16 * HK_UNIT_SIZE - HK_SPAN_OFFSET)
/* A span of at least size bytes; NULL + ENOMEM. */
void *hk_span_new(hk_heap_t *heap, size_t size);
/* Gives a span's units back (owner only). */
void hk_span_free(hk_heap_t *heap, hk_slab_t *s);
static inline size_t hk_span_usable(const hk_slab_t *s) {
  return (size_t)s->units * HK_UNIT_SIZE - HK_SPAN_OFFSET;
}

/* Whether b is a block start of class slab s at or after its base; with
 * check_carved, also below the carved part (only the owner may read `carved`);
 * with check_start, also on a stride boundary (a division). */
static inline int hk_block_in_slab(const hk_slab_t *s, const void *b, int check_carved,
                                   int check_start) {
  if ((const char *)b < s->base)
    return 0;
  size_t off = (size_t)((const char *)b - s->base);
  size_t stride = hk_class_stride[s->cls];
  if (check_carved && off >= (size_t)s->carved * stride)
    return 0;
  return !check_start || off % stride == 0;
}
/* Whether b is a carved block of s (owner only). */
static inline int hk_slab_has_block(const hk_slab_t *s, const void *b) {
  return hk_ss_of(b) == hk_ss_of(s) && s->cls < HK_NUM_CLASSES && hk_block_in_slab(s, b, 1, 1);
}

/* Start of the block that contains p (p may point inside it). */
void *hk_slab_block_start(hk_slab_t *s, const void *p);

/* A fresh slab for class c, linked into heap->partial[c]; NULL + ENOMEM. */
hk_slab_t *hk_slab_new(hk_heap_t *heap, unsigned c);
/* Gives an empty slab's units back to its SuperSlab. */
void hk_slab_release(hk_heap_t *heap, hk_slab_t *s);

/* Puts a block back into its (owned) slab; releases the slab when it empties. */
void hk_slab_put(hk_heap_t *heap, hk_slab_t *s, void *p);
/* The same for a list of n blocks from head to tail, in O(1). */
void hk_slab_put_list(hk_heap_t *heap, hk_slab_t *s, void *head, void *tail, uint32_t n);

static inline void hk_partial_push(hk_heap_t *heap, hk_slab_t *s) {
  hk_slab_t *head = heap->partial[s->cls];
  s->prev = NULL;
  s->next = head;
  if (head)
    head->prev = s;
  heap->partial[s->cls] = s;
  s->in_partial = 1;
}

static inline void hk_partial_remove(hk_heap_t *heap, hk_slab_t *s) {
  if (s->prev)
    s->prev->next = s->next;
  else
    heap->partial[s->cls] = s->next;
  if (s->next)
    s->next->prev = s->prev;
  s->next = s->prev = NULL;
  s->in_partial = 0;
}

/* Gives dirty units (empty slabs) back to the OS now; whether there were any. */
int hk_heap_purge(hk_heap_t *heap);
/* Releases every empty slab (even the one kept per class) and purges. Returns
 * whether anything went back to the OS. */
int hk_heap_trim(hk_heap_t *heap);
/* fork child, with the pool locked by the prepare handler: the heaps of the
 * parent's other threads (which do not exist here) go to the pool, then the
 * lock is released. */
void hk_heap_pool_after_fork_child(hk_heap_t *keep);
/* Runs fn on every heap in the pool, with the pool locked. */
void hk_heap_pool_each(void (*fn)(hk_heap_t *heap, void *arg), void *arg);

/* Heaps: a new heap or one from the pool of heaps whose thread exited. */
hk_heap_t *hk_heap_acquire(void);
void hk_heap_release(hk_heap_t *heap);
/* Global lock for the heap pool and metadata (slow paths, fork handlers). */
void hk_heap_pool_lock(void);
void hk_heap_pool_unlock(void);

#endif /* HAKMEM_CORE_SUPERSLAB_H */
