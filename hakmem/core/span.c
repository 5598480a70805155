#include "hakmem/core/span.h"

#include "hakmem/core/debug.h"
#include "hakmem/core/stats.h"

/* A run shorter than a unit and a page could let two blocks start in one unit,
 * which has one descriptor (small aligned spans round up to this). */
#define MIN_PAGES ((unsigned)(HK_UNIT_SIZE / HK_PAGE_SIZE) + 1)

/* The pages of a run whose block of size bytes starts offset bytes in: at
 * least a byte inside the run; under ASan also one after the block, so that an
 * overflow lands in this run's poisoned tail, not the next span; hardened, a
 * guard page after the block's page-rounded end. */
static unsigned run_pages(size_t offset, size_t size) {
  size_t end = offset + (size ? size : 1) + HK_ASAN + HK_GUARD_SIZE;
  unsigned pages = (unsigned)((end + HK_PAGE_SIZE - 1) / HK_PAGE_SIZE);
#ifdef HAKMEM_PLANT_SPAN_SHORT_UNIT
  pages = (unsigned)((end - offset + HK_PAGE_SIZE - 1) / HK_PAGE_SIZE);
#endif
  return pages < MIN_PAGES ? MIN_PAGES : pages;
}

/* The guard after a span's block of size bytes (hardened), from none. */
static void guard_span(hk_slab_t *s, size_t size) {
  if (HK_GUARD_SIZE) {
    char *run_end = hk_span_run_end(s);
    s->guard = hk_guard_try(run_end, hk_guard_start(s->base, size ? size : 1, run_end), run_end);
  }
}

void *hk_span_new(hk_heap_t *heap, size_t size, size_t align) {
  HK_ASSERT(align <= HK_SPAN_ALIGN_MAX && !(align & (align - 1)));
  /* The block starts a cache line into its run, `align` bytes for alignments
   * to a page, and a page in (on an aligned run start) above: the header byte
   * stays inside the run. */
  size_t offset = align <= HK_SPAN_OFFSET ? HK_SPAN_OFFSET
                  : align < HK_PAGE_SIZE  ? align
                                          : HK_PAGE_SIZE;
  if (align < HK_SPAN_OFFSET)
    align = HK_SPAN_OFFSET;
  hk_slab_t *s = hk_pages_claim(heap, run_pages(offset, size), offset, align);
  if (!s)
    return NULL;
  guard_span(s, size);
  s->capacity = s->carved = s->used = 1;
#if HK_HDR
  hk_hdr_store(s->base, HK_TAG_SPAN);
#endif
  HK_UNPOISON(s->base, size); /* free pages are poisoned */
  hk_stat_large((int64_t)hk_span_usable(s));
  return s->base;
}

void hk_span_shrink(hk_heap_t *heap, hk_slab_t *s, size_t size) {
  HK_ASSERT(s->cls == HK_TAG_SPAN && s->used == 1 && size > HK_SMALL_MAX);
  size_t offset = (size_t)(s->base - ((char *)hk_ss_of(s) + (size_t)s->page0 * HK_PAGE_SIZE));
  unsigned pages = run_pages(offset, size);
  if (pages >= s->pages)
    return;
  int64_t before = (int64_t)hk_span_usable(s);
  hk_guard_open(s->guard, hk_span_run_end(s));
  hk_pages_shrink(heap, s, pages);
  guard_span(s, size);
  /* Still one block: the bytes go, not the counts of blocks made and freed. */
  HK_CTR_ADD(hk_ctr.large_bytes, (int64_t)hk_span_usable(s) - before);
}

void hk_span_free(hk_heap_t *heap, hk_slab_t *s) {
  HK_ASSERT(s->cls == HK_TAG_SPAN && s->used == 1);
  hk_stat_large(-(int64_t)hk_span_usable(s));
  s->used = 0;
  /* Its pages may become another span's or a slab's. */
  hk_guard_open(s->guard, hk_span_run_end(s));
  HK_STAT(heap, slabs_released);
  hk_pages_release(heap, s);
}
