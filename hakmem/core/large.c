#include "hakmem/core/large.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hakmem/core/config.h"
#include "hakmem/core/debug.h"
#include "hakmem/core/misuse.h"
#include "hakmem/core/options.h"
#include "hakmem/core/os.h"
#include "hakmem/core/registry.h"
#include "hakmem/core/stats.h"

#define LARGE_MAGIC 0x6c617267656d656dULL
#define FREED_MAGIC 0x6672656564626c6bULL /* the block's mapping waits in the cache */
#define LARGE_HDR   64                    /* keeps the block 64-byte aligned */

typedef struct large_hdr {
  uint64_t magic;
  char *base;
  size_t map_size;
  size_t pad;
} large_hdr_t;

static large_hdr_t *hdr_of(const void *p) {
  large_hdr_t *h = (large_hdr_t *)((uintptr_t)p - LARGE_HDR);
  /* Misuse reports end the process (a large block's callers need its header). */
  if (((uintptr_t)p & (HK_ALIGN - 1)) == 0 && h->magic == FREED_MAGIC) {
    hk_misuse("double free", p, "large block", HK_NUM_CLASSES, 0);
    abort();
  }
  if (((uintptr_t)p & (HK_ALIGN - 1)) || h->magic != LARGE_MAGIC ||
      (char *)p < h->base + LARGE_HDR || (char *)p >= h->base + h->map_size) {
    hk_misuse("invalid free", p, "not the start of a large block", HK_NUM_CLASSES, 0);
    abort();
  }
  return h;
}

/* Bytes to map for a block of `size` bytes starting `off` bytes into its
 * mapping (whole 2 MiB chunks, so its registry entries are its own); 0 if that
 * overflows. */
static size_t map_size_for(size_t size, size_t off) {
  if (size > PTRDIFF_MAX || size > SIZE_MAX - off - HK_SS_SIZE)
    return 0;
  return (size + off + HK_SS_SIZE - 1) & ~(HK_SS_SIZE - 1);
}

/* Freed mappings kept for reuse, so a program that allocates and frees large
 * blocks in a loop does not map and unmap each time. Bounded by
 * HAKMEM_LARGE_CACHE_BYTES; entries older than the purge delay are unmapped at
 * the next large operation, and all of them by malloc_trim. A cached mapping
 * keeps its registry entries (its header says FREED_MAGIC, so a second free of
 * its block is reported as a double free). */
#define CACHE_SLOTS 64
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
  char *base;
  size_t size;
  uint64_t since;
} cache[CACHE_SLOTS];
static size_t cache_bytes;

void hk_large_lock(void) { pthread_mutex_lock(&cache_lock); }
void hk_large_unlock(void) { pthread_mutex_unlock(&cache_lock); }

static void unmap(char *base, size_t size) {
  hk_registry_set(base, size, HK_REG_FOREIGN);
  hk_os_unmap(base, size);
}

/* Removes the entries `expired` says, under the lock; unmaps them after it.
 * Returns how many. */
static size_t cache_evict(int (*expired)(size_t i, uint64_t now), uint64_t now) {
  char *bases[CACHE_SLOTS];
  size_t sizes[CACHE_SLOTS], n = 0;
  pthread_mutex_lock(&cache_lock);
  for (size_t i = 0; i < CACHE_SLOTS; i++)
    if (cache[i].base && expired(i, now)) {
      bases[n] = cache[i].base;
      sizes[n++] = cache[i].size;
      cache_bytes -= cache[i].size;
      cache[i].base = NULL;
    }
  pthread_mutex_unlock(&cache_lock);
  for (size_t i = 0; i < n; i++)
    unmap(bases[i], sizes[i]);
  return n;
}

static int older_than_delay(size_t i, uint64_t now) {
  return now - cache[i].since >= (uint64_t)hk_opt.purge_delay_ms;
}
static int always(size_t i, uint64_t now) {
  (void)i, (void)now;
  return 1;
}

/* The smallest cached mapping of at least *size bytes and at most twice that;
 * *size becomes its size. */
static char *cache_take(size_t *size) {
  char *base = NULL;
  size_t best = 0;
  pthread_mutex_lock(&cache_lock);
  for (size_t i = 0; i < CACHE_SLOTS; i++)
    if (cache[i].base && cache[i].size >= *size && cache[i].size / 2 <= *size &&
        (!base || cache[i].size < cache[best].size)) {
      base = cache[i].base;
      best = i;
    }
  if (base) {
    *size = cache[best].size;
    cache[best].base = NULL;
    cache_bytes -= *size;
  }
  pthread_mutex_unlock(&cache_lock);
  return base;
}

/* 1 if the mapping went into the cache. */
static int cache_put(char *base, size_t size) {
  if (size > (size_t)hk_opt.large_cache_bytes / 4)
    return 0;
  uint64_t now = hk_os_now_ms();
  cache_evict(older_than_delay, now);
  int done = 0;
  pthread_mutex_lock(&cache_lock);
  if (cache_bytes + size <= (size_t)hk_opt.large_cache_bytes)
    for (size_t i = 0; i < CACHE_SLOTS && !done; i++)
      if (!cache[i].base) {
        cache[i].base = base;
        cache[i].size = size;
        cache[i].since = now;
        cache_bytes += size;
        done = 1;
      }
  pthread_mutex_unlock(&cache_lock);
  return done;
}

int hk_large_trim(void) { return cache_evict(always, 0) != 0; }

void *hk_large_alloc(size_t size, size_t align, int zero) {
  size_t off = align > LARGE_HDR ? align : LARGE_HDR;
  /* size 0 still needs a byte: the block must start inside the mapping. */
  size_t map_size = map_size_for(size ? size : 1, off);
  if (!map_size) {
    errno = ENOMEM;
    return NULL;
  }
  size_t map_align = align > HK_SS_SIZE ? align : HK_SS_SIZE;
  char *base = map_align == HK_SS_SIZE ? cache_take(&map_size) : NULL;
  int fresh = base == NULL;
  if (fresh) {
    if (!(base = hk_os_map_aligned(map_size, map_align)))
      return NULL;
    hk_registry_set(base, map_size, HK_REG_LARGE);
  }
  char *p = base + off;
  large_hdr_t *h = (large_hdr_t *)(p - LARGE_HDR);
  h->magic = LARGE_MAGIC;
  h->base = base;
  h->map_size = map_size;
  hk_stat_large((int64_t)map_size);
  if (zero && !fresh)
    memset(p, 0, size);
  return p;
}

void *hk_large_realloc(void *p, size_t size) {
  large_hdr_t *h = hdr_of(p);
  size_t off = (size_t)((char *)p - h->base);
  size_t need = map_size_for(size, off);
  if (!need)
    return NULL;
  if (need == h->map_size)
    return p;
  if (need < h->map_size) { /* shrink in place: the tail goes back */
    unmap(h->base + need, h->map_size - need);
    HK_CTR_ADD(hk_ctr.large_bytes, -(int64_t)(h->map_size - need));
    h->map_size = need;
    return p;
  }
  char *old_base = h->base;
  size_t old_size = h->map_size;
  /* The registry lets go of the old range before the OS does: once mremap has
   * moved the pages, another thread may map and register that range. */
  hk_registry_set(old_base, old_size, HK_REG_FOREIGN);
  char *base = hk_os_remap(old_base, old_size, need, HK_SS_SIZE);
  if (!base) {
    hk_registry_set(old_base, old_size, HK_REG_LARGE);
    return NULL;
  }
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
  h->magic = FREED_MAGIC;
  hk_stat_large(-(int64_t)map_size);
  if (!cache_put(base, map_size))
    unmap(base, map_size);
}

size_t hk_large_usable(const void *p) {
  large_hdr_t *h = hdr_of(p);
  return (size_t)(h->base + h->map_size - (const char *)p);
}
