#include "hakmem/core/superslab.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "hakmem/core/debug.h"
#include "hakmem/core/options.h"
#include "hakmem/core/os.h"
#include "hakmem/core/registry.h"
#include "hakmem/core/stats.h"

_Static_assert(sizeof(hk_ss_t) <= HK_UNIT_SIZE, "SuperSlab header must fit in unit 0");

#define ALL_UNITS (~(uint32_t)1) /* unit 0 is the header */

static hk_ss_t *ss_new(hk_heap_t *heap) {
  hk_ss_t *ss = hk_os_map_aligned(HK_SS_SIZE, HK_SS_SIZE);
  if (!ss)
    return NULL;
  ss->heap = heap;
  ss->free_units = ALL_UNITS;
  memset(ss->unit_cls, HK_SLAB_UNUSED, sizeof ss->unit_cls);
  for (int i = 0; i < HK_UNITS_PER_SS; i++)
    ss->slabs[i].cls = HK_SLAB_UNUSED;
  /* Under ASan nothing outside a live block may be touched by the user. */
  HK_POISON((char *)ss + HK_UNIT_SIZE, HK_SS_SIZE - HK_UNIT_SIZE);
  hk_registry_set(ss, HK_SS_SIZE, heap->reg_id);
  ss->next_avail = heap->avail;
  ss->in_avail = 1;
  heap->avail = ss;
  HK_STAT(heap, ss_mapped);
  return ss;
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

/* Claims a run of `units` units for a slab of class (or tag) c whose first
 * block is `offset` bytes in, and fills in what every slab has; NULL + ENOMEM. */
static hk_slab_t *claim(hk_heap_t *heap, unsigned units, unsigned c, size_t offset) {
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
  hk_slab_t *s = &ss->slabs[start];
  HK_ASSERT(s->cls == HK_SLAB_UNUSED);
  HK_ASSERT(atomic_load(&s->remote) == NULL);
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

hk_slab_t *hk_slab_new(hk_heap_t *heap, unsigned c) {
  hk_slab_t *s = claim(heap, hk_class_units(c), c, hk_class_first_offset(c));
  if (!s)
    return NULL;
  s->capacity = hk_class_capacity(c);
  hk_partial_push(heap, s);
  return s;
}

void *hk_span_new(hk_heap_t *heap, size_t size) {
  unsigned units = (unsigned)((size + HK_SPAN_OFFSET + HK_UNIT_SIZE - 1) >> HK_UNIT_SHIFT);
#ifdef HAKMEM_PLANT_SPAN_SHORT_UNIT
  units = (unsigned)((size + HK_UNIT_SIZE - 1) >> HK_UNIT_SHIFT);
#endif
  hk_slab_t *s = claim(heap, units, HK_TAG_SPAN, HK_SPAN_OFFSET);
  if (!s)
    return NULL;
  s->capacity = s->carved = s->used = 1;
#if HK_HDR
  hk_hdr_store(s->base, HK_TAG_SPAN);
#endif
  HK_UNPOISON(s->base, hk_span_usable(s));
  hk_stat_large((int64_t)hk_span_usable(s));
  return s->base;
}

void hk_span_free(hk_heap_t *heap, hk_slab_t *s) {
  HK_ASSERT(s->cls == HK_TAG_SPAN && s->used == 1);
  hk_stat_large(-(int64_t)hk_span_usable(s));
  s->used = 0;
  hk_slab_release(heap, s);
}

void hk_slab_release(hk_heap_t *heap, hk_slab_t *s) {
  HK_ASSERT(s->used == 0);
  hk_ss_t *ss = hk_ss_of(s);
  unsigned start = (unsigned)(s - ss->slabs);
  if (s->in_partial)
    hk_partial_remove(heap, s);
  s->cls = HK_SLAB_UNUSED;
  memset(&ss->unit_cls[start], HK_SLAB_UNUSED, s->units);
  s->free = NULL;
  s->nfree = 0;
  HK_POISON((char *)ss + (size_t)start * HK_UNIT_SIZE, (size_t)s->units * HK_UNIT_SIZE);
  ss->free_units |= run_mask(start, s->units);
  ss->dirty_units |= run_mask(start, s->units);
  if (!ss->in_avail) {
    ss->in_avail = 1;
    ss->next_avail = heap->avail;
    heap->avail = ss;
  }
  HK_STAT(heap, slabs_released);
  uint64_t now = hk_os_now_ms();
  if (hk_opt.purge_delay_ms == 0 || (heap->purge_at && now >= heap->purge_at))
    hk_heap_purge(heap);
  else if (!heap->purge_at)
    heap->purge_at = now + (uint64_t)hk_opt.purge_delay_ms;
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
  return any;
}

int hk_heap_trim(hk_heap_t *heap) {
  for (unsigned c = 0; c < HK_NUM_CLASSES; c++) {
    hk_slab_t *s = heap->partial[c];
    while (s) {
      hk_slab_t *next = s->next;
      if (s->used == 0)
        hk_slab_release(heap, s);
      s = next;
    }
  }
  return hk_heap_purge(heap);
}

void hk_slab_put(hk_heap_t *heap, hk_slab_t *s, void *p) {
  HK_ASSERT(hk_slab_block_start(s, p) == p);
  hk_slab_put_list(heap, s, p, p, 1);
}

void hk_slab_put_list(hk_heap_t *heap, hk_slab_t *s, void *head, void *tail, uint32_t n) {
  HK_ASSERT(s->cls < HK_NUM_CLASSES && s->used >= n);
  if (!s->free)
    s->free_tail = tail;
  hk_next_store(tail, s->free);
  s->free = head;
  s->nfree += n;
  s->used -= n;
  if (!s->in_partial)
    hk_partial_push(heap, s);
  /* Keep one empty slab per class so a class that cycles around a batch
   * boundary does not make and release a slab each time. */
  if (s->used == 0 && !(heap->partial[s->cls] == s && s->next == NULL))
    hk_slab_release(heap, s);
}

void *hk_slab_block_start(hk_slab_t *s, const void *p) {
  size_t stride = hk_class_stride[s->cls];
  size_t off = (size_t)((const char *)p - s->base);
  return s->base + off / stride * stride;
}

/* Heaps live in never-freed metadata chunks; a heap whose thread exited waits
 * in the pool for the next new thread. */
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static hk_heap_t *pool;
static char *meta_cur, *meta_end;
static unsigned heaps_made;
static hk_heap_t *all_heaps;

void hk_heap_pool_lock(void) { pthread_mutex_lock(&pool_lock); }
void hk_heap_pool_unlock(void) { pthread_mutex_unlock(&pool_lock); }

hk_heap_t *hk_heap_acquire(void) {
  hk_heap_t *h = NULL;
  pthread_mutex_lock(&pool_lock);
  if (pool) {
    h = pool;
    pool = h->next_pool;
    h->next_pool = NULL;
    h->pooled = 0;
  } else {
    size_t need = (sizeof(hk_heap_t) + 63) & ~(size_t)63;
    if ((size_t)(meta_end - meta_cur) < need) {
      char *chunk = hk_os_map_aligned(HK_UNIT_SIZE, hk_os_page_size());
      if (chunk) {
        meta_cur = chunk;
        meta_end = chunk + HK_UNIT_SIZE;
      }
    }
    if ((size_t)(meta_end - meta_cur) >= need) {
      h = (hk_heap_t *)meta_cur;
      meta_cur += need;
      heaps_made++;
      h->next_all = all_heaps;
      all_heaps = h;
      HK_CTR_ADD(hk_ctr.heaps, 1);
      h->reg_id = heaps_made <= HK_REG_MAX_HEAP_ID ? (uint8_t)heaps_made : HK_REG_SS_SHARED;
    } else {
      errno = ENOMEM;
    }
  }
  pthread_mutex_unlock(&pool_lock);
  return h;
}

void hk_heap_pool_each(void (*fn)(hk_heap_t *heap, void *arg), void *arg) {
  pthread_mutex_lock(&pool_lock);
  for (hk_heap_t *h = pool; h; h = h->next_pool)
    fn(h, arg);
  pthread_mutex_unlock(&pool_lock);
}

static void pool_push(hk_heap_t *heap) {
  heap->next_pool = pool;
  heap->pooled = 1;
  pool = heap;
}

void hk_heap_release(hk_heap_t *heap) {
  pthread_mutex_lock(&pool_lock);
  pool_push(heap);
  pthread_mutex_unlock(&pool_lock);
}

void hk_heap_pool_after_fork_child(hk_heap_t *keep) {
  for (hk_heap_t *h = all_heaps; h; h = h->next_all)
    if (!h->pooled && h != keep)
      pool_push(h);
  pthread_mutex_unlock(&pool_lock);
}
