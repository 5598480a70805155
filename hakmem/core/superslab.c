#include "hakmem/core/superslab.h"

#include <string.h>

#include "hakmem/core/debug.h"
#include "hakmem/core/options.h"
#include "hakmem/core/os.h"
#include "hakmem/core/registry.h"

_Static_assert(sizeof(hk_ss_t) <= HK_UNIT_SIZE, "SuperSlab header must fit in unit 0");

#define ALL_UNITS (~(uint32_t)1) /* unit 0 is the header */

static hk_ss_t *ss_new(hk_heap_t *heap) {
  hk_ss_t *ss = hk_os_map_aligned(HK_SS_SIZE, HK_SS_SIZE);
  if (!ss)
    return NULL;
  ss->heap = heap;
  ss->free_units = ALL_UNITS;
  memset(ss->unit_cls, HK_SLAB_UNUSED, sizeof ss->unit_cls);
  memset(ss->unit_slot, HK_SS_SLOT_OF(HK_SLAB_UNUSED), sizeof ss->unit_slot);
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

hk_slab_t *hk_units_claim(hk_heap_t *heap, unsigned units, unsigned c, size_t offset) {
  hk_ss_t *ss;
  int start = -1;
  /* Drop full SuperSlabs from the front of the list as we meet them. */
  while (heap->avail && heap->avail->free_units == 0) {
    heap->avail->in_avail = 0;
    heap->avail = heap->avail->next_avail;
  }
  for (ss = heap->avail; ss; ss = ss->next_avail)
    if ((start = find_run(ss->free_units, units)) >= 0)
      break;
  if (!ss) {
    if (!(ss = ss_new(heap)))
      return NULL;
    start = 1;
  }
  uint32_t mask = run_mask((unsigned)start, units);
  if (ss == heap->spare_ss)
    heap->spare_ss = NULL; /* in use again */
  ss->free_units &= ~mask;
  ss->dirty_units &= ~mask;
  if (ss->decommitted_units & mask) {
    hk_os_recommit((size_t)__builtin_popcount(ss->decommitted_units & mask) * HK_UNIT_SIZE);
    ss->decommitted_units &= ~mask;
  }
  if (heap->purge_at && hk_os_now_ms() >= heap->purge_at)
    hk_heap_purge(heap);
  for (unsigned u = 0; u < units; u++)
    ss->unit_slab[start + u] = (uint8_t)start;
  memset(&ss->unit_cls[start], (int)c, units);
  memset(&ss->unit_slot[start], (int)HK_SS_SLOT_OF(c), units);
  hk_slab_t *s = &ss->slabs[start];
  HK_ASSERT(s->cls == HK_SLAB_UNUSED);
  HK_ASSERT(atomic_load(&s->remote) == 0);
  s->free = NULL;
  s->free_tail = NULL;
  s->nfree = 0;
  s->base = (char *)ss + (size_t)start * HK_UNIT_SIZE + offset;
  s->used = 0;
  s->carved = 0;
  s->cls = (uint8_t)c;
  s->units = (uint8_t)units;
  HK_STAT(heap, slabs_made);
  return s;
}

void hk_units_release(hk_heap_t *heap, hk_slab_t *s) {
  hk_ss_t *ss = hk_ss_of(s);
  unsigned start = (unsigned)(s - ss->slabs);
  s->cls = HK_SLAB_UNUSED;
  memset(&ss->unit_cls[start], HK_SLAB_UNUSED, s->units);
  memset(&ss->unit_slot[start], HK_SS_SLOT_OF(HK_SLAB_UNUSED), s->units);
  HK_POISON((char *)ss + (size_t)start * HK_UNIT_SIZE, (size_t)s->units * HK_UNIT_SIZE);
  ss->free_units |= run_mask(start, s->units);
  ss->dirty_units |= run_mask(start, s->units);
  if (!ss->in_avail) {
    ss->in_avail = 1;
    ss->next_avail = heap->avail;
    heap->avail = ss;
  }
  if (ss->free_units == ALL_UNITS && !heap->spare_ss)
    heap->spare_ss = ss; /* kept for reuse */
  if (atomic_load_explicit(&heap->pooled, memory_order_relaxed)) {
    /* No thread will reuse it soon: back to the OS now, this run only. */
    hk_os_decommit((char *)ss + (size_t)start * HK_UNIT_SIZE, (size_t)s->units * HK_UNIT_SIZE);
    ss->dirty_units &= ~run_mask(start, s->units);
    ss->decommitted_units |= run_mask(start, s->units);
  } else {
    uint64_t now = hk_os_now_ms();
    if (hk_opt.purge_delay_ms == 0 || (heap->purge_at && now >= heap->purge_at)) {
      hk_heap_purge(heap); /* unmaps ss too if it may */
      return;
    }
    if (!heap->purge_at)
      heap->purge_at = now + (uint64_t)hk_opt.purge_delay_ms;
    /* A wholly free SuperSlab waits for the purge too, which unmaps it: one
     * unmapped at once is mapped and faulted in again by a program whose
     * spans come and go (large_blocks: 3x the faults). */
    return;
  }
  if (ss->free_units == ALL_UNITS && ss != heap->spare_ss)
    ss_unmap(heap, ss);
}

int hk_heap_purge(hk_heap_t *heap) {
  int any = 0;
  heap->purge_at = 0;
  for (hk_ss_t *ss = heap->avail; ss; ss = ss->next_avail) {
    uint32_t d = ss->dirty_units;
    while (d) {
      /* One madvise per run of dirty units. */
      unsigned start = (unsigned)__builtin_ctz(d);
      unsigned len = (unsigned)__builtin_ctzll(~((uint64_t)d >> start));
      hk_os_decommit((char *)ss + (size_t)start * HK_UNIT_SIZE, (size_t)len * HK_UNIT_SIZE);
      d &= ~run_mask(start, len);
      any = 1;
    }
    ss->decommitted_units |= ss->dirty_units;
    ss->dirty_units = 0;
  }
  return hk_heap_unmap_free(heap, 0) | any;
}
