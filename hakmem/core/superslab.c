#include "hakmem/core/superslab.h"

#include <string.h>

#include "hakmem/core/debug.h"
#include "hakmem/core/options.h"
#include "hakmem/core/os.h"
#include "hakmem/core/registry.h"

_Static_assert(sizeof(hk_ss_t) <= HK_UNIT_SIZE, "SuperSlab header must fit in unit 0");

#define ALL_UNITS (~(uint32_t)1) /* unit 0 is the header */

#define PAGES_PER_UNIT ((unsigned)(HK_UNIT_SIZE / HK_PAGE_SIZE))
#define PAGES_PER_SS   (PAGES_PER_UNIT * HK_UNITS_PER_SS)
_Static_assert(PAGES_PER_UNIT == 16, "span_pages holds a unit's pages in 16 bits");

/* Sets unit u's bits of a page bitmap (span_room, carved_pages) to `pages`. */
static void set_unit_pages(uint64_t *bits, unsigned u, uint16_t pages) {
  unsigned shift = 16 * (u % 4);
  bits[u / 4] = (bits[u / 4] & ~((uint64_t)0xFFFF << shift)) | (uint64_t)pages << shift;
}

/* The unit map of [start, start + units): a slab of class (or tag) c, its
 * thread-cache entry and its header tag, which the free fast path reads. */
static void mark_units(hk_ss_t *ss, unsigned start, unsigned units, unsigned c) {
  memset(&ss->unit_cls[start], (int)c, units);
  memset(&ss->unit_slot[start], (int)HK_SS_SLOT_OF(c), units);
  memset(&ss->unit_tag[start], (int)HK_SS_TAG_OF(c), units);
}

/* The first page at or after p whose span_room bit is `set`, or PAGES_PER_SS. */
static unsigned next_room(const hk_ss_t *ss, unsigned p, int set) {
  while (p < PAGES_PER_SS) {
    uint64_t w = ss->span_room[p / 64];
    w = (set ? w : ~w) >> (p % 64);
    if (w)
      return p + (unsigned)__builtin_ctzll(w);
    p = (p / 64 + 1) * 64;
  }
  return PAGES_PER_SS;
}

/* The room bin of a SuperSlab whose longest run of span room is n pages: 0
 * (on no list) for none, then four bins per doubling (1..31 for n <= 496). */
static unsigned room_bin_of(unsigned n) {
  if (n < 4)
    return n;
  unsigned l = 31u - (unsigned)__builtin_clz(n);
  return 4 * l + ((n >> (l - 2)) & 3) - 4;
}

/* The doubly linked lists of SuperSlabs at head, threaded through the fields
 * prev and next: ss pushed at the front, and taken out. */
#define SS_PUSH(head, ss, prev, next)                                                              \
  do {                                                                                             \
    (ss)->prev = NULL;                                                                             \
    (ss)->next = (head);                                                                           \
    if ((ss)->next)                                                                                \
      (ss)->next->prev = (ss);                                                                     \
    (head) = (ss);                                                                                 \
  } while (0)
#define SS_REMOVE(head, ss, prev, next)                                                            \
  do {                                                                                             \
    if ((ss)->prev)                                                                                \
      (ss)->prev->next = (ss)->next;                                                               \
    else                                                                                           \
      (head) = (ss)->next;                                                                         \
    if ((ss)->next)                                                                                \
      (ss)->next->prev = (ss)->prev;                                                               \
  } while (0)

static void room_unlink(hk_heap_t *heap, hk_ss_t *ss) {
  if (!ss->room_bin)
    return;
  SS_REMOVE(heap->room[ss->room_bin], ss, room_prev, room_next);
  ss->room_bin = 0;
}

/* Files ss under the longest run of its span room: a walk of its 8 words, a
 * few dozen instructions per run. A span's claim and every give back (which
 * may make a longer run) file it at once; a slab's claim leaves room_max as it
 * was, an upper bound then, and the span search that finds it stale files it
 * again (the refill of a 1 KiB class pays 2 instructions a block less:
 * tests/fastpath remote_free). room_max never says less than there is. */
static void room_update(hk_heap_t *heap, hk_ss_t *ss) {
  unsigned best = 0;
  for (unsigned p = next_room(ss, PAGES_PER_UNIT, 1); p + best < PAGES_PER_SS;) {
    unsigned end = next_room(ss, p, 0);
    best = end - p > best ? end - p : best;
    p = next_room(ss, end, 1);
  }
  ss->room_max = (uint16_t)best;
  unsigned bin = room_bin_of(best);
  HK_ASSERT(bin < HK_ROOM_BINS);
  if (bin == ss->room_bin)
    return;
  room_unlink(heap, ss);
  if (!bin)
    return;
  ss->room_bin = (uint8_t)bin;
  SS_PUSH(heap->room[bin], ss, room_prev, room_next);
}

/* Sets ss's warm units, and its place on the heap's warm list. */
static void set_warm(hk_heap_t *heap, hk_ss_t *ss, uint32_t warm) {
  ss->warm_units = warm;
  if (!warm == !ss->in_warm)
    return;
  ss->in_warm = warm != 0;
  if (warm)
    SS_PUSH(heap->warm, ss, warm_prev, warm_next);
  else
    SS_REMOVE(heap->warm, ss, warm_prev, warm_next);
}

static hk_ss_t *ss_new(hk_heap_t *heap) {
  hk_ss_t *ss = hk_os_map_aligned(HK_SS_SIZE, HK_SS_SIZE);
  if (!ss)
    return NULL;
  ss->heap = heap;
  ss->free_units = ALL_UNITS;
  memset(ss->span_room, 0xFF, sizeof ss->span_room);
  ss->span_room[0] &= ~(uint64_t)0xFFFF; /* unit 0 */
  mark_units(ss, 0, HK_UNITS_PER_SS, HK_SLAB_UNUSED);
  for (int i = 0; i < HK_UNITS_PER_SS; i++)
    ss->slabs[i].cls = HK_SLAB_UNUSED;
  /* Under ASan nothing outside a live block may be touched by the user. */
  HK_POISON((char *)ss + HK_UNIT_SIZE, HK_SS_SIZE - HK_UNIT_SIZE);
  hk_registry_set(ss, HK_SS_SIZE, heap->reg_id);
  ss->next_avail = heap->avail;
  ss->in_avail = 1;
  heap->avail = ss;
  ss->next_ss = heap->all_ss;
  heap->all_ss = ss;
  room_update(heap, ss);
  HK_STAT(heap, ss_mapped);
  return ss;
}

/* Removes ss from the singly linked list at *head threaded through `next`. */
#define UNLINK(head, ss, next)                                                                     \
  do {                                                                                             \
    hk_ss_t **pp_ = (head);                                                                        \
    while (*pp_ && *pp_ != (ss))                                                                   \
      pp_ = &(*pp_)->next;                                                                         \
    if (*pp_)                                                                                      \
      *pp_ = (ss)->next;                                                                           \
  } while (0)

/* Unmaps a wholly free SuperSlab if no remote freer can still touch it (see
 * superslab.h); whether it did. */
static int ss_unmap(hk_heap_t *heap, hk_ss_t *ss) {
  if (ss->free_units != ALL_UNITS)
    return 0;
  for (unsigned u = 1; u < HK_UNITS_PER_SS; u++)
    if (atomic_load_explicit(&ss->slabs[u].remote, memory_order_acquire))
      return 0;
  if (ss->in_avail)
    UNLINK(&heap->avail, ss, next_avail);
  UNLINK(&heap->all_ss, ss, next_ss);
  room_unlink(heap, ss);
  set_warm(heap, ss, 0);
  if (heap->spare_ss == ss)
    heap->spare_ss = NULL;
  hk_registry_set(ss, HK_SS_SIZE, HK_REG_FOREIGN);
  /* Its decommitted bytes leave the OS module's count with the mapping. */
  hk_os_recommit((size_t)__builtin_popcount(ss->decommitted_units) * HK_UNIT_SIZE);
  HK_UNPOISON(ss, HK_SS_SIZE); /* the range may be someone else's next */
  hk_os_unmap(ss, HK_SS_SIZE);
  return 1;
}

int hk_heap_unmap_free(hk_heap_t *heap, int drop_spare) {
  int any = 0;
  for (hk_ss_t *ss = heap->avail, *next; ss; ss = next) {
    next = ss->next_avail;
    if (ss->free_units == ALL_UNITS && (drop_spare || ss != heap->spare_ss))
      any |= ss_unmap(heap, ss);
  }
  return any;
}

/* How many SuperSlabs at the front of the avail list (those that last had
 * units given back, whose free pages are the likeliest to be resident) a
 * search tries before the room bins. */
#define RECENT_SS 8

/* The bits of a run of `units` units starting at unit `start`. */
static uint32_t run_mask(unsigned start, unsigned units) {
  return (uint32_t)((((uint64_t)1 << units) - 1) << start);
}

/* First unit of a free run of `units` units, or -1. */
static int find_run(uint32_t free_units, unsigned units) {
  for (unsigned start = 1; start + units <= HK_UNITS_PER_SS; start++)
    if ((free_units & run_mask(start, units)) == run_mask(start, units))
      return (int)start;
  return -1;
}

void hk_heap_wait_taken(hk_heap_t *heap) {
  while (atomic_load(&heap->busy) & HK_HEAP_TAKEN)
    __builtin_ia32_pause();
}

/* A SuperSlab with a free run of `units` units (a new one if none has), and
 * where; NULL + ENOMEM: among the RECENT_SS at the front of the avail list
 * (dropping full ones from its front as it meets them), else by room bin from
 * the bin of the run's pages up (a free unit is span room too). Before the
 * bins every avail SuperSlab was searched: with 4000 spans live, each slab's
 * claim walked a thousand (bench/span_churn's kind of program, small blocks
 * 2x slower). */
static hk_ss_t *find_unit_room(hk_heap_t *heap, unsigned units, int *start) {
  hk_ss_t *ss;
  while (heap->avail && heap->avail->free_units == 0) {
    heap->avail->in_avail = 0;
    heap->avail = heap->avail->next_avail;
  }
  unsigned k = 0;
  for (ss = heap->avail; ss && k < RECENT_SS; ss = ss->next_avail, k++) {
    HK_STAT(heap, ss_searched);
    if ((*start = find_run(ss->free_units, units)) >= 0)
      return ss;
  }
  for (unsigned b = room_bin_of(units * PAGES_PER_UNIT); b < HK_ROOM_BINS; b++)
    for (ss = heap->room[b]; ss; ss = ss->room_next) {
      HK_STAT(heap, ss_searched);
      if ((*start = find_run(ss->free_units, units)) >= 0)
        return ss;
    }
  if (!(ss = ss_new(heap)))
    return NULL;
  *start = find_run(ss->free_units, units);
  HK_ASSERT(*start >= 0); /* a fresh SuperSlab has room for any slab */
  return ss;
}

/* Takes the free units of mask out of the free (and dirty or decommitted) sets. */
static void take_units(hk_heap_t *heap, hk_ss_t *ss, uint32_t mask) {
  if (ss == heap->spare_ss)
    heap->spare_ss = NULL; /* in use again */
  ss->free_units &= ~mask;
  ss->dirty_units &= ~mask;
  if (ss->warm_units & mask)
    set_warm(heap, ss, ss->warm_units & ~mask);
  for (uint32_t m = mask; m; m &= m - 1)
    set_unit_pages(ss->span_room, (unsigned)__builtin_ctz(m), 0);
  if (ss->decommitted_units & mask) {
    hk_os_recommit((size_t)__builtin_popcount(ss->decommitted_units & mask) * HK_UNIT_SIZE);
    ss->decommitted_units &= ~mask;
  }
  if (heap->purge_at && hk_os_now_ms() >= heap->purge_at)
    hk_heap_purge(heap, HK_PURGE_AGED);
}

/* What every slab and span has at claim: its descriptor at unit `first`. */
static hk_slab_t *init_slab(hk_heap_t *heap, hk_ss_t *ss, unsigned first, unsigned c, char *base) {
  (void)heap; /* for the statistics */
  hk_slab_t *s = &ss->slabs[first];
  HK_ASSERT(s->cls == HK_SLAB_UNUSED);
  HK_ASSERT(atomic_load(&s->remote) == 0);
  s->free = NULL;
  s->free_tail = NULL;
  s->nfree = 0;
  s->base = base;
  s->used = 0;
  s->carved = 0;
  s->cls = (uint8_t)c;
  HK_STAT(heap, slabs_made);
  return s;
}

/* A run of dirty units (free, still resident) of the heap's SuperSlabs, or
 * NULL: taken before free units that were never touched or were decommitted,
 * so that a program whose classes trade memory reuses its resident pages
 * instead of faulting in new ones while the old wait for the purge
 * (mixed_sizes peak RSS 39.7 -> 37.1 MiB). Among the RECENT_SS at the avail
 * list's front (the order packs: mstressN peak RSS 16.1 MiB with the warm list
 * alone, 14.1 with these first), then warm units (a slab's) from the warm list:
 * the avail list it walked whole before held every SuperSlab with spans (a
 * slab's claim among 4000 live spans walked a thousand; small blocks 2x
 * slower), and a span's dirty units may not be resident (a list of every dirty
 * unit, most recent first: 6x the faults of bench/span_churn 1000 1 4000 2000). */
static hk_ss_t *find_warm_run(hk_heap_t *heap, unsigned units, int *start) {
  unsigned k = 0;
  for (hk_ss_t *ss = heap->avail; ss && k < RECENT_SS; ss = ss->next_avail, k++) {
    HK_STAT(heap, ss_searched);
    if (ss->dirty_units && (*start = find_run(ss->dirty_units, units)) >= 0)
      return ss;
  }
  for (hk_ss_t *ss = heap->warm; ss; ss = ss->warm_next) {
    HK_STAT(heap, ss_searched);
    if ((*start = find_run(ss->warm_units, units)) >= 0)
      return ss;
  }
  return NULL;
}

hk_slab_t *hk_units_claim(hk_heap_t *heap, unsigned units, unsigned c, size_t offset) {
  int start;
  hk_ss_t *ss = find_warm_run(heap, units, &start);
  if (!ss && !(ss = find_unit_room(heap, units, &start)))
    return NULL;
  take_units(heap, ss, run_mask((unsigned)start, units));
  for (unsigned u = 0; u < units; u++)
    ss->unit_slab[start + u] = (uint8_t)start;
  mark_units(ss, (unsigned)start, units, c);
  hk_slab_t *s =
      init_slab(heap, ss, (unsigned)start, c, (char *)ss + (size_t)start * HK_UNIT_SIZE + offset);
  s->units = (uint8_t)units;
  return s;
}

/* Gives the dirty units `d` of ss back to the OS: one madvise per run. */
static void decommit_units(hk_heap_t *heap, hk_ss_t *ss, uint32_t d) {
  for (uint32_t r = d; r;) {
    unsigned start = (unsigned)__builtin_ctz(r);
    unsigned len = (unsigned)__builtin_ctzll(~((uint64_t)r >> start));
    hk_os_decommit((char *)ss + (size_t)start * HK_UNIT_SIZE, (size_t)len * HK_UNIT_SIZE);
    r &= ~run_mask(start, len);
  }
  for (uint32_t m = d; m; m &= m - 1)
    set_unit_pages(ss->carved_pages, (unsigned)__builtin_ctz(m), 0);
  ss->decommitted_units |= d;
  ss->dirty_units &= ~d;
  if (ss->warm_units & d)
    set_warm(heap, ss, ss->warm_units & ~d);
}

/* What the pooled heaps keep dirty, all of them together: written under the
 * pool lock, whose holder owns the pooled heaps (heap.h). */
#define POOLED_KEEP ((size_t)16 << 20)
static _Atomic size_t pooled_kept_all;

void hk_heap_unkeep(hk_heap_t *heap) {
  if (!heap->pooled_kept)
    return;
  atomic_fetch_sub_explicit(&pooled_kept_all, heap->pooled_kept, memory_order_relaxed);
  heap->pooled_kept = 0;
}

/* Hands a unit's run of units [start, start + units) (now free) back: dirty,
 * to go back to the OS after the purge delay, or, in a pooled heap once the
 * pooled heaps keep POOLED_KEEP, at once; warm if a slab's. */
static void give_units(hk_heap_t *heap, hk_ss_t *ss, unsigned start, unsigned units, int warm) {
  mark_units(ss, start, units, HK_SLAB_UNUSED);
  HK_POISON((char *)ss + (size_t)start * HK_UNIT_SIZE, (size_t)units * HK_UNIT_SIZE);
  uint64_t now = hk_os_now_ms();
  ss->free_units |= run_mask(start, units);
  ss->dirty_units |= run_mask(start, units);
  if (warm)
    set_warm(heap, ss, ss->warm_units | run_mask(start, units));
  for (unsigned u = start; u < start + units; u++) {
    set_unit_pages(ss->span_room, u, 0xFFFF);
    ss->freed_ms[u] = (uint32_t)now;
  }
  room_update(heap, ss);
  if (!ss->in_avail) {
    ss->in_avail = 1;
    ss->next_avail = heap->avail;
    heap->avail = ss;
  }
  if (ss->free_units == ALL_UNITS && !heap->spare_ss)
    heap->spare_ss = ss; /* kept for reuse */
  /* The pooled heaps keep POOLED_KEEP bytes of such runs for the purge delay
   * too (reclaim purges them when due), for the next threads to adopt them,
   * often at once (mstress, whose blocks are freed by other threads after
   * their owners exit: 1.7-2.5x the faults with none kept; a thread that
   * allocates 3 MB and exits, its blocks freed by the main thread, made 14
   * madvise, 6 munmap and 2 mmap calls with 1 MiB kept per heap: 4000 such
   * threads 1.0 s, 0.25 s kept, glibc 0.53). Past that, no thread is likely
   * to reuse them soon, and an idle process (no maintenance without a slow
   * path or the purger) would keep them: back to the OS now, this run only.
   * One budget for all, not one per heap: 400 exited threads' heaps keep no
   * more than one. */
  size_t bytes = (size_t)units * HK_UNIT_SIZE;
  if (atomic_load_explicit(&heap->pooled, memory_order_relaxed)) {
    if (atomic_load_explicit(&pooled_kept_all, memory_order_relaxed) + bytes > POOLED_KEEP) {
      decommit_units(heap, ss, run_mask(start, units));
      if (ss->free_units == ALL_UNITS && ss != heap->spare_ss)
        ss_unmap(heap, ss);
      return;
    }
    atomic_fetch_add_explicit(&pooled_kept_all, bytes, memory_order_relaxed);
    heap->pooled_kept += bytes;
  }
  if (hk_opt.purge_delay_ms == 0 || (heap->purge_at && now >= heap->purge_at)) {
    /* unmaps ss too if it may */
    hk_heap_purge(heap, hk_opt.purge_delay_ms == 0 ? HK_PURGE_ALL : HK_PURGE_AGED);
    return;
  }
  if (!heap->purge_at)
    heap->purge_at = now + (uint64_t)hk_opt.purge_delay_ms;
  /* A wholly free SuperSlab waits for the purge too, which unmaps it: one
   * unmapped at once is mapped and faulted in again by a program whose spans
   * come and go (large_blocks: 3x the faults). */
}

void hk_units_release(hk_heap_t *heap, hk_slab_t *s) {
  hk_ss_t *ss = hk_ss_of(s);
  s->cls = HK_SLAB_UNUSED;
  give_units(heap, ss, (unsigned)(s - ss->slabs), s->units, 1);
}

typedef struct span_want {
  unsigned pages;
  size_t offset, align;
} span_want_t;

/* First page of a run of want->pages pages a span may take whose block lands
 * aligned, or -1: from free page to free page, a word at a time. */
static int find_pages(const hk_ss_t *ss, const span_want_t *want) {
  /* Runs may start every `step` pages, at `phase` mod step. */
  unsigned step = want->align > HK_PAGE_SIZE ? (unsigned)(want->align / HK_PAGE_SIZE) : 1;
  unsigned phase = (step - (unsigned)(want->offset / HK_PAGE_SIZE) % step) % step;
  for (unsigned p = next_room(ss, PAGES_PER_UNIT, 1); p + want->pages <= PAGES_PER_SS;) {
    p += (phase - p % step + step) % step;
    unsigned end = next_room(ss, p, 0);
    if (end >= p + want->pages)
      return (int)p;
    p = next_room(ss, end, 1);
  }
  return -1;
}

/* Marks a span's pages `bits` of unit u used (on) or unused, and the room. */
static void span_mark(hk_ss_t *ss, unsigned u, uint16_t bits, int on) {
  ss->span_pages[u] = on ? ss->span_pages[u] | bits : ss->span_pages[u] & (uint16_t)~bits;
  set_unit_pages(ss->span_room, u, (uint16_t)~ss->span_pages[u]);
}

/* The pages of [first, first + n) that lie in unit u, as span_pages bits. */
static uint16_t unit_pages(unsigned u, unsigned first, unsigned n) {
  unsigned lo = first > u * PAGES_PER_UNIT ? first - u * PAGES_PER_UNIT : 0;
  unsigned end = first + n - u * PAGES_PER_UNIT;
  unsigned hi = end < PAGES_PER_UNIT ? end : PAGES_PER_UNIT;
  return (uint16_t)(((1u << hi) - 1) & ~((1u << lo) - 1));
}

/* Room for a span: in the RECENT_SS SuperSlabs at the front of the avail list
 * (refault_test's spans fault 27 % more pages without), else best fit by room
 * bin, from the bin of its length up (the bins above hold longer runs, but for
 * stale ones), in a new SuperSlab if none has it; where (*first), or NULL +
 * ENOMEM. Before the bins every avail SuperSlab was searched: 40 us per span
 * at 4000 live (bench/span_churn). */
static hk_ss_t *find_span_room(hk_heap_t *heap, const span_want_t *want, int *first) {
  hk_ss_t *ss, *next;
  /* The SuperSlabs that last had units given back first, as before the bins:
   * their free pages are the likeliest to be resident. */
  unsigned k = 0;
  for (ss = heap->avail; ss && k < RECENT_SS; ss = ss->next_avail, k++) {
    HK_STAT(heap, ss_searched);
    if (ss->room_max >= want->pages && (*first = find_pages(ss, want)) >= 0)
      return ss;
  }
  for (unsigned b = room_bin_of(want->pages); b < HK_ROOM_BINS; b++)
    for (ss = heap->room[b]; ss; ss = next) {
      next = ss->room_next;
      HK_STAT(heap, ss_searched);
      if (ss->room_max < want->pages)
        continue;
      if ((*first = find_pages(ss, want)) >= 0)
        return ss;
      room_update(heap, ss); /* its room_max was stale, or the alignment failed */
    }
  if (!(ss = ss_new(heap)))
    return NULL;
  *first = find_pages(ss, want);
  HK_ASSERT(*first >= 0); /* a fresh SuperSlab has room for any span */
  return ss;
}

hk_slab_t *hk_pages_claim(hk_heap_t *heap, unsigned pages, size_t offset, size_t align) {
  span_want_t want = {pages, offset, align};
  int first;
  hk_ss_t *ss = find_span_room(heap, &want, &first);
  if (!ss)
    return NULL;
  char *base = (char *)ss + (size_t)first * HK_PAGE_SIZE + offset;
  unsigned desc = hk_unit_of(base);
  unsigned lo = (unsigned)first / PAGES_PER_UNIT,
           hi = ((unsigned)first + pages - 1) / PAGES_PER_UNIT;
  /* The units between the first and the last were free (a unit spans leave
   * wholly unused is free): wholly this span's. */
  uint32_t fresh = ss->free_units & run_mask(lo, hi - lo + 1);
  if (fresh)
    take_units(heap, ss, fresh);
  for (uint32_t m = fresh; m; m &= m - 1)
    mark_units(ss, (unsigned)__builtin_ctz(m), 1, HK_TAG_SPAN);
  for (unsigned u = lo + 1; u < hi; u++)
    ss->span_pages[u] = 0xFFFF;
  span_mark(ss, lo, unit_pages(lo, (unsigned)first, pages), 1);
  span_mark(ss, hi, unit_pages(hi, (unsigned)first, pages), 1);
  /* A last unit where another span's block starts keeps pointing at it, and
   * is never written: that block's remote freers read it. */
  int other = hi != desc && ss->slabs[hi].cls == HK_TAG_SPAN;
  memset(&ss->unit_slab[lo], (int)desc, hi - lo + !other);
  hk_slab_t *s = init_slab(heap, ss, desc, HK_TAG_SPAN, base);
  s->units = 0;
  s->page0 = (uint16_t)first;
  s->pages = (uint16_t)pages;
  room_update(heap, ss);
  return s;
}

/* Gives the span pages [first, first + pages) of ss back. */
static void release_pages(hk_heap_t *heap, hk_ss_t *ss, unsigned first, unsigned pages) {
  HK_POISON((char *)ss + (size_t)first * HK_PAGE_SIZE, (size_t)pages * HK_PAGE_SIZE);
  unsigned lo = first / PAGES_PER_UNIT, hi = (first + pages - 1) / PAGES_PER_UNIT;
  for (unsigned u = lo + 1; u < hi; u++)
    ss->span_pages[u] = 0; /* free: give_units gives their room back */
  span_mark(ss, lo, unit_pages(lo, first, pages), 0);
  span_mark(ss, hi, unit_pages(hi, first, pages), 0);
  /* The units no other span uses: all but perhaps the first and the last. */
  lo += ss->span_pages[lo] != 0;
  hi -= hi >= lo && ss->span_pages[hi] != 0;
  if (hi >= lo)
    give_units(heap, ss, lo, hi - lo + 1, 0); /* which files ss (and may unmap it) */
  else
    room_update(heap, ss);
}

void hk_pages_release(hk_heap_t *heap, hk_slab_t *s) {
  s->cls = HK_SLAB_UNUSED;
  release_pages(heap, hk_ss_of(s), s->page0, s->pages);
}

void hk_pages_shrink(hk_heap_t *heap, hk_slab_t *s, unsigned pages) {
  HK_ASSERT(s->cls == HK_TAG_SPAN && pages < s->pages && pages * HK_PAGE_SIZE > HK_UNIT_SIZE);
  unsigned tail = s->page0 + pages, n = s->pages - pages;
  s->pages = (uint16_t)pages;
  release_pages(heap, hk_ss_of(s), tail, n);
}

int hk_heap_purge(hk_heap_t *heap, hk_purge_t how) {
  int any = 0;
  uint64_t now = hk_os_now_ms();
  uint32_t delay = (uint32_t)hk_opt.purge_delay_ms;
  uint32_t next_due = UINT32_MAX; /* ms from now until the youngest unit left is due */
  if (how == HK_PURGE_ALL)
    hk_heap_unkeep(heap); /* nothing stays dirty */
  heap->purge_at = 0;
  for (hk_ss_t *ss = heap->avail, *next; ss; ss = next) {
    next = ss->next_avail;
    uint32_t d = ss->dirty_units;
    if (how == HK_PURGE_AGED)
      for (uint32_t m = d; m; m &= m - 1) {
        unsigned u = (unsigned)__builtin_ctz(m);
        uint32_t age = (uint32_t)now - ss->freed_ms[u]; /* mod 2^32 */
        if (age < delay) {
          d &= ~((uint32_t)1 << u);
          next_due = delay - age < next_due ? delay - age : next_due;
        }
      }
    any |= d != 0;
    decommit_units(heap, ss, d);
    if (ss->free_units == ALL_UNITS && !ss->dirty_units && ss != heap->spare_ss)
      any |= ss_unmap(heap, ss);
  }
  if (next_due != UINT32_MAX)
    heap->purge_at = now + next_due;
  return any;
}
