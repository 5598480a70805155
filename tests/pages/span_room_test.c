/* The span search's index (core/superslab.c, room bins): random spans and slabs claimed
 * and given back in one heap, and after every step each SuperSlab's room_max is at least
 * its longest run of span room (counted here from span_room, bit by bit) and it is on the
 * bin list it says. A span that lands in a newly mapped SuperSlab must have had no room in
 * any other: the index never hides room. A span's search looked at every SuperSlab before
 * the index; the fast-path guard (tests/fastpath, span_churn) counts what it costs.
 * Then, in debug builds (which count the SuperSlabs each search looks at), slabs and
 * spans claimed among a few hundred SuperSlabs that spans left holes in, their dirty
 * units all given back, look at a handful each: a slab's claim walked every SuperSlab
 * with a free unit, twice (for dirty units, then for free ones). */
#include <stdint.h>

#include "hakmem/core/heap.h"
#include "hakmem/core/slab.h"
#include "hakmem/core/span.h"
#include "tests/check.h"

#define PAGES    ((unsigned)(HK_SS_SIZE / HK_PAGE_SIZE))
#define MAX_SS   256
#define MAX_LIVE 600
#define STEPS    20000

/* The longest run of set bits of ss->span_room. */
static unsigned longest_run(const hk_ss_t *ss) {
  unsigned best = 0, run = 0;
  for (unsigned p = 0; p < PAGES; p++) {
    run = (ss->span_room[p / 64] >> (p % 64)) & 1 ? run + 1 : 0;
    best = run > best ? run : best;
  }
  return best;
}

static unsigned snapshot(const hk_heap_t *heap, const hk_ss_t **out) {
  unsigned n = 0;
  for (const hk_ss_t *ss = heap->all_ss; ss; ss = ss->next_ss) {
    CHECK(n < MAX_SS);
    out[n++] = ss;
  }
  return n;
}

static int on_room_list(const hk_ss_t *head, const hk_ss_t *ss) {
  while (head && head != ss)
    head = head->room_next;
  return head != NULL;
}

static int on_warm_list(const hk_ss_t *head, const hk_ss_t *ss) {
  while (head && head != ss)
    head = head->warm_next;
  return head != NULL;
}

static void check_index(const hk_heap_t *heap) {
  for (unsigned b = 0; b < HK_ROOM_BINS; b++)
    for (const hk_ss_t *ss = heap->room[b]; ss; ss = ss->room_next) {
      CHECK(b != 0);
      CHECK_EQ(ss->room_bin, b);
      CHECK(ss->heap == heap);
    }
  for (const hk_ss_t *ss = heap->warm; ss; ss = ss->warm_next)
    CHECK(ss->in_warm && ss->warm_units != 0 && ss->heap == heap);
  for (const hk_ss_t *ss = heap->all_ss; ss; ss = ss->next_ss) {
    unsigned run = longest_run(ss);
    CHECK(ss->room_max >= run);
    CHECK(run == 0 || ss->room_bin != 0);
    CHECK(!ss->room_bin || on_room_list(heap->room[ss->room_bin], ss));
    /* warm units: free, dirty, a slab's; on the warm list exactly when any */
    CHECK((ss->warm_units & ~(ss->dirty_units & ss->free_units)) == 0);
    CHECK_EQ(ss->in_warm, ss->warm_units != 0);
    CHECK(!ss->in_warm || on_warm_list(heap->warm, ss));
  }
}

typedef struct live {
  void *span;      /* a span's block, or NULL */
  hk_slab_t *slab; /* a slab, or NULL */
} live_t;

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t below(uint32_t n) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)((rng >> 32) * n >> 32);
}

/* Slabs and spans claimed among many SuperSlabs with holes: SuperSlabs searched per
 * claim (debug builds count them). */
static void search_cost(void) {
  enum { SPANS = 600, CLAIMS = 200 };
  hk_heap_t *heap = hk_heap_acquire();
  CHECK(heap != NULL);
  static void *spans[SPANS];
  for (unsigned i = 0; i < SPANS; i++)
    CHECK((spans[i] = hk_span_new(heap, HK_SMALL_MAX + 1 + below(900 << 10), 16)) != NULL);
  for (unsigned i = 0; i < SPANS; i += 2)
    hk_span_free(heap, hk_slab_of(hk_ss_of(spans[i]), spans[i]));
  hk_heap_purge(heap, HK_PURGE_ALL); /* no dirty unit left to take first */
  static const hk_ss_t *all[MAX_SS];
  unsigned n = snapshot(heap, all);
  uint64_t before = heap->stats.ss_searched;
  static hk_slab_t *slabs[CLAIMS];
  static void *more[CLAIMS];
  for (unsigned i = 0; i < CLAIMS; i++) {
    CHECK((slabs[i] = hk_slab_new(heap, 4)) != NULL);
    CHECK((more[i] = hk_span_new(heap, HK_SMALL_MAX + 1 + below(400 << 10), 16)) != NULL);
  }
  uint64_t searched = heap->stats.ss_searched - before;
  printf("span_room_test: %u SuperSlabs, %llu searched for %d slabs and %d spans\n", n,
         (unsigned long long)searched, CLAIMS, CLAIMS);
  fflush(stdout);
#if !HAKMEM_BUILD_RELEASE
  CHECK(n > 100);
  CHECK(searched <= 16 * 2 * CLAIMS);
#endif
  for (unsigned i = 0; i < CLAIMS; i++) {
    hk_slab_release(heap, slabs[i]);
    hk_span_free(heap, hk_slab_of(hk_ss_of(more[i]), more[i]));
  }
  for (unsigned i = 1; i < SPANS; i += 2)
    hk_span_free(heap, hk_slab_of(hk_ss_of(spans[i]), spans[i]));
  check_index(heap);
  hk_heap_release(heap);
}

int main(void) {
  hk_heap_t *heap = hk_heap_acquire();
  CHECK(heap != NULL);
  static live_t live[MAX_LIVE];
  static const hk_ss_t *before[MAX_SS];
  unsigned nlive = 0, spans = 0, in_new = 0;
  for (unsigned step = 0; step < STEPS; step++) {
    if (nlive == MAX_LIVE || (nlive > 0 && below(100) < 45)) {
      unsigned i = below(nlive);
      if (live[i].span)
        hk_span_free(heap, hk_slab_of(hk_ss_of(live[i].span), live[i].span));
      else
        hk_slab_release(heap, live[i].slab);
      live[i] = live[--nlive];
    } else if (below(100) < 20) {
      live[nlive].span = NULL;
      CHECK((live[nlive].slab = hk_slab_new(heap, below(HK_NUM_CLASSES))) != NULL);
      nlive++;
    } else {
      unsigned n = snapshot(heap, before);
      /* 64 KiB to 1 MiB, one in eight aligned to 4 KiB .. 64 KiB */
      size_t size = HK_SMALL_MAX + 1 + below((uint32_t)(HK_SPAN_MAX - HK_SMALL_MAX));
      size_t align = below(8) == 0 ? (size_t)HK_PAGE_SIZE << below(5) : 16;
      void *p = hk_span_new(heap, size, align);
      CHECK(p != NULL);
      CHECK_EQ((uintptr_t)p % align, 0);
      hk_slab_t *s = hk_slab_of(hk_ss_of(p), p);
      CHECK(s->pages * HK_PAGE_SIZE >= size);
      unsigned k = 0;
      while (k < n && before[k] != hk_ss_of(p))
        k++;
      if (k == n && align <= HK_SPAN_OFFSET) {
        /* a new SuperSlab: none of the others had the run */
        for (unsigned j = 0; j < n; j++)
          CHECK(longest_run(before[j]) < s->pages);
        in_new++;
      }
      live[nlive].span = p;
      live[nlive].slab = NULL;
      nlive++;
      spans++;
    }
    check_index(heap);
  }
  while (nlive > 0) {
    nlive--;
    if (live[nlive].span)
      hk_span_free(heap, hk_slab_of(hk_ss_of(live[nlive].span), live[nlive].span));
    else
      hk_slab_release(heap, live[nlive].slab);
    check_index(heap);
  }
  printf("span_room_test: %u spans, %u in a new SuperSlab\n", spans, in_new);
  CHECK(spans > STEPS / 3);
  search_cost();
  return 0;
}
