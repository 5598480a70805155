#include "hakmem/core/slab.h"

#include "hakmem/core/debug.h"
#include "hakmem/core/size_class.h"

hk_slab_t *hk_slab_new(hk_heap_t *heap, unsigned c) {
  hk_slab_t *s = hk_units_claim(heap, hk_class_units(c), c, hk_class_first_offset(c));
  if (!s)
    return NULL;
  s->capacity = hk_class_capacity(c);
  hk_partial_push(heap, s);
  return s;
}

void hk_slab_release(hk_heap_t *heap, hk_slab_t *s) {
  HK_ASSERT(s->used == 0);
  if (s->in_partial)
    hk_partial_remove(heap, s);
  s->free = NULL;
  s->nfree = 0;
  HK_STAT(heap, slabs_released);
  hk_units_release(heap, s);
}

void hk_heap_release_empty(hk_heap_t *heap) {
  for (unsigned c = 0; c < HK_SLAB_CLASSES; c++) {
    hk_slab_t *s = heap->partial[c];
    while (s) {
      hk_slab_t *next = s->next;
      if (s->used == 0)
        hk_slab_release(heap, s);
      s = next;
    }
  }
}

int hk_heap_trim(hk_heap_t *heap, hk_purge_t how) {
  hk_heap_release_empty(heap);
  return hk_heap_purge(heap, how);
}

void hk_slab_put(hk_heap_t *heap, hk_slab_t *s, void *p) {
  HK_ASSERT(hk_slab_block_start(s, p) == p);
  hk_slab_put_list(heap, s, p, p, 1);
}

void hk_slab_put_list(hk_heap_t *heap, hk_slab_t *s, void *head, void *tail, uint32_t n) {
  HK_ASSERT(s->cls < HK_SLAB_CLASSES && s->used >= n);
  if (!s->free)
    s->free_tail = tail;
  hk_next_store(tail, s->free);
  s->free = head;
  s->nfree += n;
  s->used -= n;
  if (!s->in_partial)
    hk_partial_push(heap, s);
  /* Keep one empty slab per class so a class that cycles around a batch
   * boundary does not make and release a slab each time; a pooled heap has no
   * such class. */
  if (s->used == 0 && (atomic_load_explicit(&heap->pooled, memory_order_relaxed) ||
                       !(heap->partial[s->cls] == s && s->next == NULL)))
    hk_slab_release(heap, s);
}

void *hk_slab_block_start(hk_slab_t *s, const void *p) {
  size_t stride = hk_class_stride[s->cls];
  size_t off = (size_t)((const char *)p - s->base);
  return s->base + off / stride * stride;
}

void *hk_slab_alloc(hk_heap_t *heap, unsigned c) {
  hk_slab_t *s = heap->partial[c];
  if (!s && !(s = hk_slab_new(heap, c)))
    return NULL;
  void *b = s->free;
  if (b) {
#if HAKMEM_HARDENED
    if (!hk_slab_has_block(s, b) || hk_hdr_load(b) != hk_freed_tag(hk_class_tag(c)))
      hk_fatal("corrupt free list (a write into a freed block?): next block", b);
#endif
    s->free = hk_next_load(b);
    s->nfree--;
  } else {
    b = s->base + (size_t)s->carved++ * hk_class_stride[c];
    hk_ss_mark_carved(hk_ss_of(b), b);
  }
  if (hk_class_hdr(c))
    hk_hdr_store(b, hk_class_tag(c)); /* live (hardened: it was marked free) */
  s->used++;
  if (!s->free && s->carved == s->capacity)
    hk_partial_remove(heap, s);
  return b;
}
