#include "hakmem/core/large.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hakmem/core/config.h"
#include "hakmem/core/debug.h"
#include "hakmem/core/guard.h"
#include "hakmem/core/loader_memory.h"
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
  size_t used; /* the block's part of the mapping: whole pages from its start */
  char *guard; /* the end of the usable bytes: the guard's start (guard.h) */
  char *block; /* the block's start */
} large_hdr_t;

/* A mapping starts on a 2 MiB chunk, so no chunk holds two of them and its
 * registry entries are its own, and ends on a page: the rest of its last chunk
 * may be someone else's (the loader's memory, a thread's stack). Its first
 * chunk is HK_REG_LARGE and starts with a record of the mapping (the block's
 * header, or a copy of it before an aligned block; FREED_MAGIC while cached);
 * later chunks are HK_REG_LARGE_MORE and are never read to find it, since the
 * block's guard (hardened) may cover their first page. */
HK_NO_ASAN static int is_record(const large_hdr_t *r, const void *at) {
  return (r->magic == LARGE_MAGIC || r->magic == FREED_MAGIC) && r->base == at;
}

/* A mapping starts (magic) or stops being one, joined to the one below (0). */
HK_NO_ASAN static void set_record(char *base, uint64_t magic, size_t map_size) {
  large_hdr_t *r = (large_hdr_t *)base;
  r->magic = magic;
  r->base = base;
  r->map_size = map_size;
  hk_registry_set(base, HK_SS_SIZE, magic ? HK_REG_LARGE : HK_REG_LARGE_MORE);
}

/* Registers a new mapping's chunks (its record follows). */
static void register_mapping(char *base, size_t size) {
  hk_registry_set(base, size, HK_REG_LARGE_MORE);
  hk_registry_set(base, HK_SS_SIZE, HK_REG_LARGE);
}

/* Freed mappings kept for reuse, so a program that allocates and frees large
 * blocks in turn neither maps and unmaps each time nor faults every page in
 * again. A cached mapping keeps its pages and its registry entries (its header
 * says FREED_MAGIC, so a second free of its block is reported as a double
 * free). At most HAKMEM_LARGE_CACHE_BYTES are kept; the decay below decides
 * how much of that the recent frees earn. */
#define CACHE_SLOTS 64
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
  char *base;
  size_t size;
  char *guard;    /* PROT_NONE from here to the end (guard.h); base + size: none */
  uint64_t since; /* ms; the oldest goes first */
} cache[CACHE_SLOTS];
static size_t cache_bytes;
/* cache_bytes, and when the next decay step is due, for hk_large_tick's check
 * without the lock. */
static _Atomic size_t cache_bytes_seen;
static _Atomic uint64_t decay_due_ms;

/* The record of the large mapping p lies in; NULL for the rest of its last
 * chunk, or if p is in none. */
HK_NO_ASAN static const large_hdr_t *record_of(const void *p) {
  char *chunk = (char *)((uintptr_t)p & ~(uintptr_t)(HK_SS_SIZE - 1));
  unsigned kind;
  while ((kind = hk_registry_kind(chunk)) == HK_REG_LARGE_MORE)
    chunk -= HK_SS_SIZE;
  const large_hdr_t *r = (const large_hdr_t *)chunk;
  if (kind != HK_REG_LARGE || !is_record(r, chunk) || (const char *)p >= chunk + r->map_size)
    return NULL;
  return r;
}

int hk_large_contains(const void *p) { return record_of(p) != NULL; }

/* Whether p, in the mapping of record r, starts a freed block. Its header is
 * read only where it is sure to be readable: below the guard of the mapping's
 * live block, or of its cache entry. */
HK_NO_ASAN static int freed_block_at(const large_hdr_t *r, const void *p) {
  const large_hdr_t *h = (const large_hdr_t *)((uintptr_t)p - LARGE_HDR);
  if (((uintptr_t)p & (HK_ALIGN - 1)) || (const char *)h < r->base)
    return 0;
  const char *readable = r->magic == LARGE_MAGIC ? r->guard : NULL;
  if (!readable) {
    pthread_mutex_lock(&cache_lock);
    for (size_t i = 0; i < CACHE_SLOTS; i++)
      if (cache[i].base == r->base)
        readable = cache[i].guard;
    pthread_mutex_unlock(&cache_lock);
  }
  return (const char *)(h + 1) <= readable && h->magic == FREED_MAGIC;
}

/* The header of the live block p, checked against its mapping's record. Under
 * ASan the header is poisoned with the rest of the mapping but the block: the
 * functions that touch it are not instrumented (HK_NO_ASAN). NULL for the
 * loader's memory in a large mapping's last chunk (leaked, as free does with
 * it anywhere), and after a misuse report named `freed` (a freed block) or
 * `invalid` (no block start) if the report returns: the caller leaves p alone. */
HK_NO_ASAN static large_hdr_t *hdr_of(const void *p, const char *freed, const char *invalid) {
  const large_hdr_t *r = record_of(p);
  large_hdr_t *h = (large_hdr_t *)((uintptr_t)p - LARGE_HDR);
  if (r && r->magic == LARGE_MAGIC && r->block == p && h->magic == LARGE_MAGIC &&
      h->base == r->base)
    return h;
  if (!r && hk_loader_memory(p))
    return NULL;
  if (r && freed_block_at(r, p))
    hk_misuse(freed, p, "large block", HK_NO_CLASS, 0);
  else
    hk_misuse(invalid, p, "not the start of a large block", HK_NO_CLASS, 0);
  return NULL;
}

/* The block's header and its mapping's record. */
HK_NO_ASAN static void set_mapping(large_hdr_t *h, char *base, size_t map_size, size_t used,
                                   char *guard) {
  for (large_hdr_t *x = h;; x = (large_hdr_t *)base) {
    x->magic = LARGE_MAGIC;
    x->base = base;
    x->map_size = map_size;
    x->used = used;
    x->guard = guard;
    x->block = (char *)h + LARGE_HDR;
    if (x == (large_hdr_t *)base)
      break;
  }
}

/* Bytes to map for a block of `size` bytes starting `off` bytes into its
 * mapping (whole pages); 0 if that overflows. */
static size_t map_size_for(size_t size, size_t off) {
  off += HK_GUARD_SIZE; /* at least the guard page after the block */
  if (size > PTRDIFF_MAX || size > SIZE_MAX - off - HK_SS_SIZE)
    return 0;
  /* Under ASan a block never ends its mapping: the byte after it stays ours,
   * and poisoned, rather than the first of whatever is mapped next. */
  return (size + off + HK_ASAN + HK_PAGE_SIZE - 1) & ~(HK_PAGE_SIZE - 1);
}

static size_t chunk_up(size_t n) { return (n + HK_SS_SIZE - 1) & ~(HK_SS_SIZE - 1); }

void hk_large_lock(void) { pthread_mutex_lock(&cache_lock); }
void hk_large_unlock(void) { pthread_mutex_unlock(&cache_lock); }

static void unmap(char *base, size_t size) {
  HK_UNPOISON(base, size); /* the range may be mapped again by anyone */
  /* Cut mid-chunk, the chunk stays with the mapping's head. */
  char *first = (char *)chunk_up((uintptr_t)base);
  if (first < base + size)
    hk_registry_set(first, (size_t)(base + size - first), HK_REG_FOREIGN);
  hk_os_unmap(base, size);
}

/* Decay (after jemalloc's, linear instead of smoothstep): the bytes freed into
 * the cache in each of the last DECAY_STEPS steps of HAKMEM_LARGE_DECAY_MS /
 * DECAY_STEPS, weighted from 1 (this step) down to 1/DECAY_STEPS (the oldest),
 * are what the cache may keep. A program that keeps freeing large blocks keeps
 * its cache; one that stops sees it go back to the OS over the decay time, the
 * oldest mapping first. Under cache_lock. */
#define DECAY_STEPS 8
static struct {
  uint64_t step;             /* the current step: now / step length */
  size_t freed[DECAY_STEPS]; /* ring, by step */
} decay;

static uint64_t decay_step_ms(void) {
  uint64_t ms = (uint64_t)hk_opt.large_decay_ms / DECAY_STEPS;
  return ms ? ms : 1;
}

/* Moves the ring to now's step. */
static void decay_advance(uint64_t now) {
  uint64_t step = now / decay_step_ms();
  for (uint64_t s = decay.step + 1; s <= step && s <= decay.step + DECAY_STEPS; s++)
    decay.freed[s % DECAY_STEPS] = 0;
  if (step > decay.step)
    decay.step = step;
  atomic_store_explicit(&decay_due_ms, (decay.step + 1) * decay_step_ms(), memory_order_relaxed);
}

/* The bytes the cache may keep now (after decay_advance). */
static size_t decay_limit(void) {
  if (hk_opt.large_decay_ms == 0)
    return 0;
  size_t limit = 0;
  for (unsigned k = 0; k < DECAY_STEPS; k++)
    limit += decay.freed[(decay.step - k) % DECAY_STEPS] / DECAY_STEPS * (DECAY_STEPS - k);
  return limit < (size_t)hk_opt.large_cache_bytes ? limit : (size_t)hk_opt.large_cache_bytes;
}

static void cache_remove(size_t i) {
  cache_bytes -= cache[i].size;
  cache[i].base = NULL;
  atomic_store_explicit(&cache_bytes_seen, cache_bytes, memory_order_relaxed);
}

/* The oldest entry; the cache must not be empty. */
static size_t cache_oldest(void) {
  size_t oldest = CACHE_SLOTS;
  for (size_t i = 0; i < CACHE_SLOTS; i++)
    if (cache[i].base && (oldest == CACHE_SLOTS || cache[i].since < cache[oldest].since))
      oldest = i;
  return oldest;
}

/* Gives back the oldest cached bytes while the cache holds more than `keep`:
 * whole entries, and of the last one only the tail the excess needs (from a
 * chunk boundary on), so the decay releases memory gradually. Called under the lock;
 * unlocks, then unmaps. Returns how many ranges were unmapped. */
static size_t cache_shrink_to(size_t keep) {
  char *bases[CACHE_SLOTS];
  size_t sizes[CACHE_SLOTS], n = 0;
  while (cache_bytes > keep) {
    size_t oldest = cache_oldest();
    size_t need = cache_bytes - keep;
    /* The head kept ends on a chunk, so no chunk is cut under its record. */
    size_t head = need < cache[oldest].size ? (cache[oldest].size - need) & ~(HK_SS_SIZE - 1) : 0;
    if (head) {
      size_t excess = cache[oldest].size - head;
      cache[oldest].size = head;
      hk_guard_cut(&cache[oldest].guard, cache[oldest].base + head,
                   cache[oldest].base + head + excess);
      cache_bytes -= excess;
      atomic_store_explicit(&cache_bytes_seen, cache_bytes, memory_order_relaxed);
      set_record(cache[oldest].base, FREED_MAGIC, head);
      bases[n] = cache[oldest].base + head;
      sizes[n++] = excess;
      break;
    }
    bases[n] = cache[oldest].base;
    sizes[n++] = cache[oldest].size;
    hk_guard_cut(&cache[oldest].guard, bases[n - 1], bases[n - 1] + sizes[n - 1]);
    cache_remove(oldest);
  }
  pthread_mutex_unlock(&cache_lock);
  for (size_t i = 0; i < n; i++)
    unmap(bases[i], sizes[i]);
  return n;
}

/* Gives back what the decay no longer allows. Takes the lock. */
static void cache_decay(uint64_t now) {
  pthread_mutex_lock(&cache_lock);
  decay_advance(now);
  cache_shrink_to(decay_limit());
}

void hk_large_tick(uint64_t now) {
  if (atomic_load_explicit(&cache_bytes_seen, memory_order_relaxed) == 0)
    return;
  if (now >= atomic_load_explicit(&decay_due_ms, memory_order_relaxed))
    cache_decay(now);
}

/* Moves the mapping [base, base + size) to new_size bytes (mremap: its pages
 * keep their contents, none is copied), keeping the registry right; NULL if the
 * OS refuses (the old mapping is untouched then). */
static char *remap(char *base, size_t size, size_t new_size) {
  /* The registry lets go of the old range before the OS does: once mremap has
   * moved the pages, another thread may map and register that range. */
  hk_registry_set(base, size, HK_REG_FOREIGN);
  char *moved = hk_os_remap(base, size, new_size, HK_SS_SIZE);
  register_mapping(moved ? moved : base, moved ? new_size : size);
  if (moved)
    HK_UNPOISON(base, size); /* unmapped, or inside the new mapping */
  return moved;
}

/* A mapping of at least *size bytes from the cache, whose pages are mostly
 * resident (*size: what it holds): the smallest of at least *size, its tail
 * from the chunk boundary after *size on staying cached (a mapping of its own;
 * the block keeps the rest of its last chunk, unused but for realloc, as it
 * may be resident), else the largest smaller one grown by mremap, so only the
 * new part faults in. NULL if the cache is empty or the OS refuses to grow.
 * *guard: where its guard starts. */
static char *cache_take(size_t *size, char **guard) {
  size_t want = *size, fit = CACHE_SLOTS, grow = CACHE_SLOTS;
  uint64_t now = hk_os_now_ms();
  pthread_mutex_lock(&cache_lock);
  decay_advance(now);
  size_t limit = decay_limit();
  for (size_t i = 0; i < CACHE_SLOTS; i++) {
    if (!cache[i].base)
      continue;
    if (cache[i].size >= want) {
      if (fit == CACHE_SLOTS || cache[i].size < cache[fit].size)
        fit = i;
    } else if (grow == CACHE_SLOTS || cache[i].size > cache[grow].size) {
      grow = i;
    }
  }
  size_t i = fit != CACHE_SLOTS ? fit : grow;
  char *base = i != CACHE_SLOTS ? cache[i].base : NULL;
  size_t got = base ? cache[i].size : 0;
  char *guard_at = base ? cache[i].guard : NULL;
  size_t tail = chunk_up(want) < got ? chunk_up(want) : got; /* where the cached tail starts */
  char *drop = NULL;
  if (tail < got && guard_at <= base + tail) {
    /* A tail wholly in the guard (PROT_NONE) could not take its record: it
     * goes back to the OS instead. */
    hk_guard_cut(&guard_at, base + tail, base + got);
    drop = base + tail;
    cache_remove(i);
  } else if (tail < got) { /* the tail stays, with the guard */
    cache[i].base = base + tail;
    cache[i].size = got - tail;
    cache_bytes -= tail;
    atomic_store_explicit(&cache_bytes_seen, cache_bytes, memory_order_relaxed);
    set_record(base + tail, FREED_MAGIC, got - tail);
    guard_at = base + tail;
  } else if (base) {
    cache_remove(i);
  }
  cache_shrink_to(limit); /* unlocks */
  if (drop)
    unmap(drop, (size_t)(base + got - drop));
  if (base && got < want) {
    /* mremap moves one mapping: the guard's own goes first (it merges back). */
    hk_guard_open(guard_at, base + got);
    char *grown = remap(base, got, want);
    if (!grown)
      unmap(base, got); /* the OS is short of memory: a fresh map follows */
    base = grown;
    tail = want;
    guard_at = grown ? grown + want : NULL;
  }
  if (base)
    *size = tail;
  *guard = guard_at;
  return base;
}

/* Caches a freed mapping whose guard starts at `guard`, the oldest making room,
 * or unmaps it if it exceeds the cache. */
static void cache_put(char *base, size_t size, char *guard) {
  if (size > (size_t)hk_opt.large_cache_bytes || hk_opt.large_decay_ms == 0) {
    hk_guard_cut(&guard, base, base + size);
    unmap(base, size);
    return;
  }
  uint64_t now = hk_os_now_ms();
  pthread_mutex_lock(&cache_lock);
  decay_advance(now);
  decay.freed[decay.step % DECAY_STEPS] += size;
  size_t limit = decay_limit();
  /* A neighbour in the cache (most often the tail cache_take split off this
   * block's mapping) joins it: splits do not leave the cache in pieces. The
   * lower one's guard opens: a cached range is guarded at its end only. Never
   * past the cache's budget: the entry just freed is kept whatever the limit,
   * so a merged one would be too (mappings made one after another are
   * neighbours, and over-aligned requests never take from the cache: it grew
   * by every such block freed). */
  for (size_t i = 0; i < CACHE_SLOTS; i++)
    if (cache[i].base && (cache[i].base == base + size || cache[i].base + cache[i].size == base) &&
        size + cache[i].size <= (size_t)hk_opt.large_cache_bytes) {
      int below = cache[i].base < base;
      hk_guard_open(below ? cache[i].guard : guard, below ? base : base + size);
      /* One record, at the start: the upper one would outlive a cut. */
      set_record(below ? base : cache[i].base, 0, 0);
      if (below)
        base = cache[i].base;
      else
        guard = cache[i].guard;
      size += cache[i].size;
      cache_remove(i);
    }
  set_record(base, FREED_MAGIC, size);
  size_t slot = 0;
  while (slot < CACHE_SLOTS && cache[slot].base)
    slot++;
  char *evicted = NULL;
  size_t evicted_size = 0;
  if (slot == CACHE_SLOTS) {
    slot = cache_oldest();
    evicted = cache[slot].base;
    evicted_size = cache[slot].size;
    hk_guard_cut(&cache[slot].guard, evicted, evicted + evicted_size);
    cache_remove(slot);
  }
  cache[slot].base = base;
  cache[slot].size = size;
  cache[slot].guard = guard;
  cache[slot].since = now;
  cache_bytes += size;
  atomic_store_explicit(&cache_bytes_seen, cache_bytes, memory_order_relaxed);
  cache_shrink_to(limit > size ? limit : size); /* unlocks; the new entry is the youngest */
  if (evicted)
    unmap(evicted, evicted_size);
}

int hk_large_trim(void) {
  pthread_mutex_lock(&cache_lock);
  return cache_shrink_to(0) != 0;
}

HK_NO_ASAN void *hk_large_alloc(size_t size, size_t align, int zero) {
  size_t off = align > LARGE_HDR ? align : LARGE_HDR;
  /* size 0 still needs a byte: the block must start inside the mapping. */
  size_t map_size = map_size_for(size ? size : 1, off);
  if (!map_size) {
    errno = ENOMEM;
    return NULL;
  }
  /* Every mapping starts on a chunk (the registry's and the records' rule), so
   * its whole chunks can be huge pages. */
  size_t map_align = align > HK_SS_SIZE ? align : HK_SS_SIZE;
  char *base = NULL, *guard = NULL;
  size_t used = map_size;
  if (map_align == HK_SS_SIZE)
    base = cache_take(&map_size, &guard);
  else
    hk_large_tick(hk_os_now_ms());
  int fresh = base == NULL;
  if (fresh) {
    if (!(base = hk_os_map_aligned(map_size, map_align)))
      return NULL;
    register_mapping(base, map_size);
    guard = base + map_size;
  }
  char *p = base + off;
  /* Before the header: a reused mapping's guard may start below it. */
  char *end = hk_guard_try(guard, hk_guard_start(p, size ? size : 1, base + used), base + map_size);
  set_mapping((large_hdr_t *)(p - LARGE_HDR), base, map_size, used, end);
  hk_stat_large((int64_t)map_size);
  HK_EXPOSE(base, map_size, p, size);
  if (zero && !fresh)
    memset(p, 0, size);
  return p;
}

HK_NO_ASAN void *hk_large_realloc(void *p, size_t size) {
  hk_large_tick(hk_os_now_ms());
  large_hdr_t *h = hdr_of(p, "realloc after free", "invalid realloc");
  if (!h)
    return NULL; /* reported; hak_realloc checked p before, so not reached */
  size_t off = (size_t)((char *)p - h->base);
  size_t need = map_size_for(size, off);
  if (!need)
    return NULL;
  if (need <= h->map_size) { /* in place */
    /* Locals, not through h: hk_guard_cut is instrumented (ASan). */
    char *base = h->base, *guard = h->guard;
    size_t map_size = h->map_size;
    if (need < h->used) { /* shrinking: the tail goes back */
      unmap(base + need, map_size - need);
      HK_CTR_ADD(hk_ctr.large_bytes, -(int64_t)(map_size - need));
      hk_guard_cut(&guard, base + need, base + map_size);
      map_size = need;
    }
    /* The guard follows the block's end. */
    guard = hk_guard_try(guard, hk_guard_start(p, size, base + need), base + map_size);
    set_mapping(h, base, map_size, need, guard);
    HK_EXPOSE(base, need, p, size);
    return p;
  }
  size_t old_size = h->map_size;
  /* mremap moves one mapping: the guard's own goes first (it merges back). */
  char *guard = h->guard;
  hk_guard_open(guard, h->base + old_size);
  char *base = remap(h->base, old_size, need);
  if (!base) {
    set_mapping(h, h->base, old_size, h->used,
                hk_guard_try(h->base + old_size, guard, h->base + old_size));
    return NULL;
  }
  guard = hk_guard_try(base + need, hk_guard_start(base + off, size, base + need), base + need);
  HK_EXPOSE(base, need, base + off, size);
  set_mapping((large_hdr_t *)(base + off - LARGE_HDR), base, need, need, guard);
  HK_CTR_ADD(hk_ctr.large_bytes, (int64_t)(need - old_size));
  return base + off;
}

HK_NO_ASAN void hk_large_free(void *p) {
  large_hdr_t *h = hdr_of(p, "double free", "invalid free");
  if (!h)
    return;
  char *base = h->base;
  size_t map_size = h->map_size;
  h->magic = FREED_MAGIC;
  HK_POISON(base, map_size); /* before another thread can take it from the cache */
  hk_stat_large(-(int64_t)map_size);
  cache_put(base, map_size, h->guard); /* cached with its guard */
}

HK_NO_ASAN size_t hk_large_usable(const void *p, const char *freed, const char *invalid) {
  large_hdr_t *h = hdr_of(p, freed, invalid);
  return h ? (size_t)(h->guard - (const char *)p) : 0;
}
