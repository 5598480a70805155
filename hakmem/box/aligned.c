#include "hakmem/box/aligned.h"

#include <errno.h>

#include "hakmem/box/reclaim.h"
#include "hakmem/box/remote_free.h"
#include "hakmem/box/thread_exit.h"
#include "hakmem/box/tiny_fast.h"
#include "hakmem/core/large.h"
#include "hakmem/core/slab.h"
#include "hakmem/core/span.h"
#include "hakmem/core/stats.h"

/* The smallest class (by stride) whose blocks hold size and all have the
 * alignment, a cached class on a tie; HK_SLAB_CLASSES if none. */
static unsigned best_class(size_t align, size_t size) {
#ifdef HAKMEM_PLANT_ALIGNED_HALF_ALIGNMENT
  align = align > 32 ? align / 2 : align;
#endif
  unsigned best = HK_SLAB_CLASSES;
  if (size <= HK_SMALL_MAX)
    for (unsigned c = hk_size_class(size); c < HK_NUM_CLASSES; c++)
      if (hk_class_align(c) >= align) {
        best = c;
        break;
      }
  for (unsigned c = HK_NUM_CLASSES; c < HK_SLAB_CLASSES; c++)
    if (hk_class_usable(c) >= size && hk_class_align(c) >= align) {
      if (best == HK_SLAB_CLASSES || hk_class_stride[c] < hk_class_stride[best])
        best = c;
      break;
    }
  return best;
}

/* A span or a block of aligned class c (HK_SLAB_CLASSES: a span), with the
 * heap marked busy. */
static void *from_heap(hk_heap_t *heap, unsigned c, size_t align, size_t size) {
  hk_remote_collect_pending(heap);
  if (c == HK_SLAB_CLASSES)
    return hk_span_new(heap, size, align);
  void *b = hk_slab_alloc(heap, c);
  if (b) {
    hk_stat_blocks(&heap->ctr, c, 1);
    HK_UNPOISON(b, size); /* the slot is poisoned whole while free */
  }
  return b;
}

void *hk_aligned_alloc(size_t align, size_t size) {
  unsigned c = best_class(align, size);
  if (c < HK_NUM_CLASSES) {
    void *p = hk_alloc(hk_class_usable(c)); /* exactly class c, from the thread cache */
    if (p)
      HK_EXPOSE(p, hk_class_usable(c), p, size);
    return p;
  }
  if (align > HK_SPAN_ALIGN_MAX || size > HK_SPAN_ALIGNED_MAX)
    return hk_large_alloc(size, align, 0);
  hk_heap_t *heap = hk_thread_attach();
  if (!heap) {
    errno = ENOMEM;
    return NULL;
  }
  /* Busy and active, as every owner's change of its heap: else the maintenance
   * of idle heaps (box/reclaim) could take it over meanwhile. */
  hk_heap_enter(heap);
  hk_reclaim_own(&hk_tls, hk_os_now_ms());
  void *p = from_heap(heap, c, align, size);
  hk_heap_leave(heap);
  if (!p)
    errno = ENOMEM;
  return p;
}
