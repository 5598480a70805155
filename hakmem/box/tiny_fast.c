#include "hakmem/box/tiny_fast.h"

#include <errno.h>

#include "hakmem/box/refill.h"
#include "hakmem/box/remote_free.h"
#include "hakmem/box/thread_exit.h"
#include "hakmem/core/large.h"
#include "hakmem/core/slab.h"
#include "hakmem/core/span.h"
#include "hakmem/core/stats.h"

static void *pop(hk_tls_t *t, unsigned c, size_t size) {
  void *p = t->head[c];
  t->head[c] = hk_next_load(p);
  t->room[c]++;
  HK_UNPOISON(p, size);
  return p;
}

void *hk_alloc_slow(size_t size) {
  if (size > HK_SPAN_MAX)
    return hk_large_alloc(size, HK_ALIGN, 0);
  hk_tls_t *t = &hk_tls;
  if (!t->heap && !hk_thread_attach()) {
    errno = ENOMEM;
    return NULL;
  }
  if (size > HK_SMALL_MAX)
    return hk_span_new(t->heap, size, HK_ALIGN);
  unsigned c = hk_size_class(size);
  hk_large_tick(); /* cached large mappings expire without a large operation too */
  /* The list may hold blocks now: attach pre-warms. */
  if (!t->head[c] && hk_refill(t, c, hk_refill_batch(c), t->room[c] - 1) == 0) {
    errno = ENOMEM;
    return NULL;
  }
  return pop(t, c, size);
}

/* Whether b is a block start of slab s (a class slab) at or after its base;
 * with check_carved, also below the carved part (only the owner may read
 * `carved`); with check_start, also on a stride boundary (a division). */
static int block_in_slab(const hk_slab_t *s, const void *b, int check_carved, int check_start) {
  if ((const char *)b < s->base)
    return 0;
  size_t off = (size_t)((const char *)b - s->base);
  size_t stride = hk_class_stride[s->cls];
  if (check_carved && off >= (size_t)s->carved * stride)
    return 0;
  return !check_start || off % stride == 0;
}

/* The block a freed pointer stands for, and its slab; aborts on a pointer that
 * is not a live block's start. */
void *hk_block_resolve(hk_ss_t *ss, const void *p, hk_slab_t **slab) {
  void *b = (void *)p;
  hk_slab_t *s = hk_slab_of(ss, b);
  if (s->cls == HK_TAG_SPAN) {
    if (b != s->base)
      hk_fatal("invalid pointer (not a block hakmem handed out)", p);
    *slab = s;
    return b;
  }
  /* cls and base are fixed while the slab has blocks out; carved moves, and
   * only the owner may read it. The division (block start) is the costly
   * check: release builds with the header rely on the header byte matching
   * the slab's class instead. */
  int own = ss->heap == hk_tls.heap;
  if (s->cls >= HK_SLAB_CLASSES || !block_in_slab(s, b, own, !(HK_HDR && HAKMEM_BUILD_RELEASE)))
    hk_fatal("invalid pointer (not a block hakmem handed out)", p);
#if HK_HDR
  if (hk_hdr_load(b) != s->cls)
    hk_fatal("block header overwritten (heap buffer overflow before this block?)", p);
#endif
  *slab = s;
  return b;
}

void hk_debug_check_free(void *p, unsigned c) {
  if (c >= HK_NUM_CLASSES)
    return; /* a tag: the overflow path resolves or reports it */
  hk_slab_t *s = hk_slab_of(hk_ss_of(p), p);
  if (s->cls != c || !block_in_slab(s, p, 1, 1))
    hk_fatal("free of an invalid pointer (not a block hakmem handed out)", p);
  if (hk_tls.head[c] == p)
    hk_fatal("double free", p);
}

static void free_local(hk_tls_t *t, unsigned c, void *b) {
  HK_POISON(b, hk_class_usable(c));
  hk_next_store(b, t->head[c]);
  t->head[c] = b;
  if (--t->room[c] == 0)
    hk_spill(t, c, hk_cache_cap(c) / 2);
}

static void free_block(void *p) {
  hk_ss_t *ss = hk_ss_of(p);
  hk_slab_t *s;
  void *b = hk_block_resolve(ss, p, &s);
  hk_tls_t *t = &hk_tls;
  /* A thread that has not allocated yet (or has exited) owns no heap: its
   * frees are remote, and it does not make a heap just to free. */
  int own = t->heap && ss->heap == t->heap;
  if (s->cls == HK_TAG_SPAN) {
    if (own) {
      hk_span_free(t->heap, s);
    } else {
      HK_POISON(b, hk_span_usable(s));
      hk_remote_free(ss, s, b);
    }
    return;
  }
  if (own && s->cls >= HK_NUM_CLASSES) { /* an aligned class: no thread cache */
    if (s->free == b)                    /* else the slab's free list would loop */
      hk_fatal("double free", p);
    HK_POISON(b, hk_class_usable(s->cls));
    hk_stat_blocks(s->cls, -1);
    hk_slab_put(t->heap, s, b);
    return;
  }
  if (own) {
    free_local(t, s->cls, b);
    return;
  }
  HK_POISON(b, hk_class_usable(s->cls));
  hk_remote_free(ss, s, b);
}

__attribute__((weak)) void hk_free_foreign(void *p) {
  hk_fatal("free of a pointer hakmem does not own", p);
}

void hk_free_slow(void *p) {
  if (!p)
    return;
  int saved = errno;
  unsigned kind = hk_registry_kind(p);
  if (hk_reg_is_ss(kind))
    free_block(p);
  else if (kind == HK_REG_LARGE)
    hk_large_free(p);
  else
    hk_free_foreign(p);
  errno = saved;
}

void hk_free_overflow(void *pushed) {
  hk_tls_t *t = &hk_tls;
#if HK_HDR
  unsigned c = hk_hdr_load(pushed);
#else
  unsigned c = hk_ss_of(pushed)->unit_cls[hk_unit_of(pushed)];
#endif
  hk_spill(t, c, hk_cache_cap(c) / 2);
}

void hk_free_tagged(void *p) {
#if HK_HDR
  unsigned tag = hk_hdr_load(p);
#else
  unsigned tag = hk_ss_of(p)->unit_cls[hk_unit_of(p)];
#endif
  if (tag != HK_TAG_SPAN && !(tag >= HK_NUM_CLASSES && tag < HK_SLAB_CLASSES))
    hk_fatal("free of an invalid pointer (no block header)", p);
  free_block(p);
}
