/* Refill and spill: a batch moves from slabs to a thread cache as distinct,
 * aligned blocks with their class header, carved a page at a time over new
 * memory; spilling it back returns every block to its slab (used drops to 0)
 * and the room count stays exact. */
#include <stdint.h>
#include <string.h>

#include "hakmem/box/refill.h"
#include "hakmem/core/debug.h"
#include "hakmem/core/heap.h"
#include "hakmem/core/options.h"
#include "hakmem/core/slab.h"
#include "tests/check.h"

static hk_tls_t t; /* a thread cache of our own, not the thread's */

static uint32_t list_len(void *p) {
  uint32_t n = 0;
  for (; p; p = hk_next_load(p))
    n++;
  return n;
}

/* Carving over new memory goes a page at a time; the slab's units, given
 * back, keep their pages until the purge, and a slab made on them again
 * carves the same blocks in one refill; after the purge, a page at a time
 * again. On a fresh heap, for a class of 1 KiB (4 blocks a page) and one of
 * 8 KiB (pages where no block starts between two blocks). */
static void carves_by_page(unsigned c, uint32_t want) {
  t.room[c] = hk_cache_cap(c);
  uint32_t refills = 0;
  for (uint32_t got = 0; got < want; refills++)
    got += hk_refill(&t, c, want - got, want - got);
  CHECK(refills > 1);
  hk_spill(&t, c, UINT32_MAX);
  hk_heap_release_empty(t.heap);
  CHECK_EQ(hk_refill(&t, c, want, want), want);
  hk_spill(&t, c, UINT32_MAX);
  hk_heap_release_empty(t.heap);
  hk_heap_purge(t.heap, HK_PURGE_ALL);
  CHECK(hk_refill(&t, c, want, want) < want);
  hk_spill(&t, c, UINT32_MAX);
  hk_heap_release_empty(t.heap);
}

int main(void) {
  t.heap = hk_heap_acquire();
  CHECK(t.heap != NULL);
  hk_opt.purge_delay_ms = 3600000; /* no purge but the test's own */
  carves_by_page(hk_size_class(1000), 16);
  carves_by_page(hk_size_class(8000), 4);
  for (unsigned c = 0; c < HK_NUM_CLASSES; c++) {
    uint32_t cap = hk_cache_cap(c);
    t.room[c] = cap;
    uint32_t want = cap - 1;
    uint32_t got = 0; /* carving stops at a page's end: several refills */
    while (got < want) {
      uint32_t more = hk_refill(&t, c, want - got, want - got);
      CHECK(more >= 1 && more <= want - got);
      got += more;
    }
    CHECK_EQ(list_len(t.head[c]), want);
    CHECK_EQ(t.room[c], 1);
    uint32_t in_slabs = 0;
    for (void *p = t.head[c]; p; p = hk_next_load(p)) {
      CHECK_EQ((uintptr_t)p % 16, 0);
      hk_slab_t *s = hk_slab_of(hk_ss_of(p), p);
      CHECK_EQ(s->cls, c);
      CHECK(hk_slab_block_start(s, p) == p);
#if HK_HDR /* hardened builds mark a cached block's header freed */
      CHECK_EQ(hk_hdr_load(p), HAKMEM_HARDENED ? hk_freed_tag(hk_class_tag(c)) : hk_class_tag(c));
#endif
      for (void *q = hk_next_load(p); q; q = hk_next_load(q))
        CHECK(q != p);
    }
    for (hk_slab_t *s = t.heap->partial[c]; s; s = s->next)
      in_slabs += s->used;
    CHECK(in_slabs <= want);
    hk_spill(&t, c, UINT32_MAX);
    CHECK(t.head[c] == NULL);
    CHECK_EQ(t.room[c], cap);
    for (hk_slab_t *s = t.heap->partial[c]; s; s = s->next)
      CHECK_EQ(s->used, 0);
    /* The same blocks come back first (free list before carving). */
    uint32_t n = cap - 1 < 4 ? cap - 1 : 4; /* the biggest classes cache 2 at most */
    CHECK_EQ(hk_refill(&t, c, n, n), n);
    hk_spill(&t, c, n / 2);
    CHECK_EQ(list_len(t.head[c]), n - n / 2);
    CHECK_EQ(t.room[c], cap - (n - n / 2));
    hk_spill(&t, c, UINT32_MAX);
    /* Given a higher limit, a slab's whole free list comes in one splice. */
    uint32_t back = hk_refill(&t, c, 1, cap - 1);
    CHECK(back >= 1 && back <= cap - 1);
    CHECK_EQ(list_len(t.head[c]), back);
    CHECK_EQ(t.room[c], cap - back);
    hk_spill(&t, c, UINT32_MAX);
  }
  return 0;
}
