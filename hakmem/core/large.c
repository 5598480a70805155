#include "hakmem/core/large.h"

#include <errno.h>
#include <stdint.h>

#include "hakmem/core/config.h"
#include "hakmem/core/debug.h"
#include "hakmem/core/os.h"
#include "hakmem/core/registry.h"
#include "hakmem/core/stats.h"

#define LARGE_MAGIC 0x6c617267656d656dULL
#define LARGE_HDR   64 /* keeps the block 64-byte aligned */

typedef struct large_hdr {
  uint64_t magic;
  char *base;
  size_t map_size;
  size_t pad;
} large_hdr_t;

static large_hdr_t *hdr_of(const void *p) {
  large_hdr_t *h = (large_hdr_t *)((uintptr_t)p - LARGE_HDR);
  if (((uintptr_t)p & (HK_ALIGN - 1)) || h->magic != LARGE_MAGIC ||
      (char *)p < h->base + LARGE_HDR || (char *)p >= h->base + h->map_size)
    hk_fatal("invalid pointer (not the start of a large block)", p);
  return h;
}

void *hk_large_alloc(size_t size, size_t align) {
  size_t off = align > LARGE_HDR ? align : LARGE_HDR;
  if (size == 0)
    size = 1; /* the block must start inside the mapping */
  if (size > PTRDIFF_MAX || size > SIZE_MAX - off - HK_SS_SIZE) {
    errno = ENOMEM;
    return NULL;
  }
  size_t map_size = (size + off + HK_SS_SIZE - 1) & ~(HK_SS_SIZE - 1);
  size_t map_align = align > HK_SS_SIZE ? align : HK_SS_SIZE;
  char *base = hk_os_map_aligned(map_size, map_align);
  if (!base)
    return NULL;
  char *p = base + off;
  large_hdr_t *h = (large_hdr_t *)(p - LARGE_HDR);
  h->magic = LARGE_MAGIC;
  h->base = base;
  h->map_size = map_size;
  hk_registry_set(base, map_size, HK_REG_LARGE);
  hk_stat_large((int64_t)map_size);
  return p;
}

void *hk_large_realloc(void *p, size_t size) {
  large_hdr_t *h = hdr_of(p);
  size_t off = (size_t)((char *)p - h->base);
  if (size > PTRDIFF_MAX || size > SIZE_MAX - off - HK_SS_SIZE)
    return NULL;
  size_t need = (size + off + HK_SS_SIZE - 1) & ~(HK_SS_SIZE - 1);
  if (need == h->map_size)
    return p;
  if (need < h->map_size) { /* shrink in place: the tail goes back */
    hk_registry_set(h->base + need, h->map_size - need, HK_REG_FOREIGN);
    hk_os_unmap(h->base + need, h->map_size - need);
    HK_CTR_ADD(hk_ctr.large_bytes, -(int64_t)(h->map_size - need));
    h->map_size = need;
    return p;
  }
  char *old_base = h->base;
  size_t old_size = h->map_size;
  char *base = hk_os_remap(old_base, old_size, need, HK_SS_SIZE);
  if (!base)
    return NULL;
  if (base != old_base)
    hk_registry_set(old_base, old_size, HK_REG_FOREIGN);
  hk_registry_set(base, need, HK_REG_LARGE);
  h = (large_hdr_t *)(base + off - LARGE_HDR);
  h->base = base;
  h->map_size = need;
  HK_CTR_ADD(hk_ctr.large_bytes, (int64_t)(need - old_size));
  return base + off;
}

void hk_large_free(void *p) {
  large_hdr_t *h = hdr_of(p);
  char *base = h->base;
  size_t map_size = h->map_size;
  hk_registry_set(base, map_size, HK_REG_FOREIGN);
  hk_os_unmap(base, map_size);
  hk_stat_large(-(int64_t)map_size);
}

size_t hk_large_usable(const void *p) {
  large_hdr_t *h = hdr_of(p);
  return (size_t)(h->base + h->map_size - (const char *)p);
}
