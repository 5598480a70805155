/* SuperSlab: slabs for every class are carved from registered, 2 MiB aligned
 * SuperSlabs; a block's slab is found by address; released units are reused,
 * the resident (dirty) ones before those given back to the OS; a released
 * heap is adopted again. */
#include <stdint.h>

#include "hakmem/core/registry.h"
#include "hakmem/core/heap.h"
#include "hakmem/core/slab.h"
#include "tests/check.h"

int main(void) {
  hk_heap_t *heap = hk_heap_acquire();
  CHECK(heap != NULL);
  hk_slab_t *slabs[HK_NUM_CLASSES];
  for (unsigned c = 0; c < HK_NUM_CLASSES; c++) {
    hk_slab_t *s = hk_slab_new(heap, c);
    CHECK(s != NULL);
    slabs[c] = s;
    hk_ss_t *ss = hk_ss_of(s);
    CHECK_EQ((uintptr_t)ss % HK_SS_SIZE, 0);
    CHECK(ss->heap == heap);
    CHECK_EQ(hk_registry_kind(ss), heap->reg_id);
    CHECK(hk_reg_is_ss(heap->reg_id));
    CHECK_EQ(s->cls, c);
    CHECK(heap->partial[c] == s && s->in_partial);
    CHECK_EQ((uintptr_t)s->base % 16, 0);
    /* First and last block of the slab map back to it. */
    char *first = s->base;
    char *last = s->base + (size_t)(s->capacity - 1) * hk_class_stride[c];
    CHECK(hk_slab_of(ss, first) == s);
    CHECK(hk_slab_of(ss, last + hk_class_usable(c) - 1) == s);
    CHECK(hk_slab_block_start(s, last + 5) == last);
    CHECK(last + hk_class_stride[c] <= (char *)ss + HK_SS_SIZE);
  }
  /* Release every slab: all units come back and are reused, not remapped. */
  hk_ss_t *first_ss = hk_ss_of(slabs[0]);
  for (unsigned c = 0; c < HK_NUM_CLASSES; c++)
    hk_slab_release(heap, slabs[c]);
  CHECK_EQ(first_ss->free_units, ~(uint32_t)1);
  for (unsigned c = 0; c < HK_NUM_CLASSES; c++)
    CHECK(heap->partial[c] == NULL);
  hk_slab_t *again = hk_slab_new(heap, 3);
  CHECK(hk_ss_of(again) == first_ss || hk_ss_of(again)->heap == heap);
  hk_slab_release(heap, again);
  /* Dirty before decommitted: with the lower units given back to the OS and a
   * higher one released since (still resident), a new slab takes the higher. */
  hk_heap_purge(heap, HK_PURGE_ALL);
  hk_slab_t *low = hk_slab_new(heap, 0), *high = hk_slab_new(heap, 0);
  CHECK(hk_ss_of(low) == hk_ss_of(high) && low->base < high->base);
  hk_slab_release(heap, low);
  hk_heap_purge(heap, HK_PURGE_ALL); /* low's units: decommitted */
  hk_slab_release(heap, high);       /* high's: dirty */
  hk_slab_t *reused = hk_slab_new(heap, 0);
  CHECK(reused->base == high->base);
  hk_slab_release(heap, reused);
  /* A heap given back is the next one adopted. */
  hk_heap_release(heap);
  CHECK(hk_heap_acquire() == heap);
  return 0;
}
