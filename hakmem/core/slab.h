/* Slabs: runs of SuperSlab units carved into blocks of one size class.
 *
 * A heap keeps, per class, a list of slabs that still have free or uncarved
 * blocks (heap->partial). Blocks come back to a slab one at a time or as a
 * list; a slab that empties gives its units back (superslab.h), except the
 * last one of its class, kept so a class cycling around a batch boundary does
 * not make and release a slab each time. Owner-only. */
#ifndef HAKMEM_CORE_SLAB_H
#define HAKMEM_CORE_SLAB_H

#include <stdint.h>

#include "hakmem/core/superslab.h"

/* Start of the block that contains p (p may point inside it). */
void *hk_slab_block_start(hk_slab_t *s, const void *p);

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
  return hk_ss_of(b) == hk_ss_of(s) && s->cls < HK_SLAB_CLASSES && hk_block_in_slab(s, b, 1, 1);
}

/* How many of s's next n uncarved blocks carving can take without faulting a
 * page in (owner only): those up to the first whose start lies in a page
 * carving has not written (0 if the next one does). Only a page where a block
 * starts is ever marked, so the walk goes from block start to block start, not
 * page by page (a block over 4 KiB skips pages). n must not exceed the
 * uncarved blocks. Inline: refill calls it once a page over new memory. */
static inline uint32_t hk_slab_carvable(const hk_slab_t *s, uint32_t n) {
  const hk_ss_t *ss = hk_ss_of(s);
  size_t stride = hk_class_stride[s->cls];
  uintptr_t b = (uintptr_t)s->base + (uintptr_t)s->carved * stride;
  uint32_t fit = 0;
  while (fit < n && hk_ss_page_carved(ss, (const void *)(b + fit * stride))) {
    uintptr_t page_end = ((b + fit * stride) | (HK_PAGE_SIZE - 1)) + 1;
    fit = (uint32_t)((page_end - b + stride - 1) / stride); /* every block starting there */
  }
  return fit < n ? fit : n;
}

/* A fresh slab for class c, linked into heap->partial[c]; NULL + ENOMEM. */
hk_slab_t *hk_slab_new(hk_heap_t *heap, unsigned c);
/* One block of class c from the heap's slabs (free list first, then carved),
 * for the classes no thread cache holds; NULL + ENOMEM. */
void *hk_slab_alloc(hk_heap_t *heap, unsigned c);
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

/* Releases every empty slab (even the one kept per class) and purges, as how
 * says (the spare SuperSlab stays: hk_heap_unmap_free). Returns whether
 * anything went back to the OS. */
int hk_heap_trim(hk_heap_t *heap, hk_purge_t how);
/* Releases every empty slab (even the one kept per class); their units go back
 * to the OS after the purge delay, as any released slab's do. */
void hk_heap_release_empty(hk_heap_t *heap);
#endif /* HAKMEM_CORE_SLAB_H */
