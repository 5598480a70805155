/* alloc_ops: the input is a program over a table of live blocks, run through
 * the whole hak_* API, against a shadow model of each live block (request,
 * alignment, class, fill byte).
 *
 * Each operation is five bytes: opcode, slot, size (two bytes, see hkf_size),
 * extra (alignment, calloc count, API variant, fill byte). Every operation
 * checks the block it touches: alignment, usable size, class header, the fill
 * intact (before free, across realloc), no overlap with any live block, calloc
 * zeroed. At the end everything is freed, the cache flushed with malloc_trim,
 * and the statistics must be back where they began. */
#include <errno.h>

#include "fuzz/fuzz_common.h"
#include "hakmem/box/tiny_fast.h"
#include "hakmem/core/os.h"

#define SLOTS        64
#define BYTE_BUDGET  ((size_t)96 << 20)
#define MAX_ALIGN_LG 22 /* 4 MiB */

typedef struct {
  unsigned char *p;
  size_t n;     /* requested */
  size_t align; /* requested (16 for malloc) */
  int cls;      /* class header it must carry, or -1 */
  int big;      /* is_big(): counted in large bytes (1), small (0), either (2) */
  unsigned char tag;
} block_t;

typedef struct {
  block_t slot[SLOTS];
  hkf_iv_t iv[SLOTS];
  hkf_ivset_t live;
  size_t bytes;
} model_t;

/* Whether a request is served from a span or a mapping (1), a class (0), or
 * either (2: an aligned request, from an aligned class, a span or a mapping). */
static int is_big(size_t n, size_t align) {
  if (align > HK_ALIGN)
    return 2;
  return n > HK_SMALL_MAX;
}

static void check_fill(const block_t *b) {
  size_t bad = hkf_verify(b->p, b->n, b->tag);
  HKF_CHECK(bad == b->n, "fill pattern changed while the block was live", b->p + bad, b->n);
}

/* Records a new block (p holds n bytes, made by a request of n at align). */
static void adopt(model_t *m, block_t *b, void *p, size_t n, size_t align, int cls, unsigned tag) {
  size_t usable = hkf_check_block(p, n, align, cls);
  b->p = p;
  b->n = n;
  b->align = align;
  b->cls = cls;
  b->big = is_big(n, align);
  b->tag = (unsigned char)tag;
  hkf_iv_add(&m->live, p, usable);
  m->bytes += n;
}

/* Forgets a block after checking its fill; the caller frees it. */
static void *drop(model_t *m, block_t *b) {
  void *p = b->p;
  check_fill(b);
  hkf_iv_del(&m->live, p);
  m->bytes -= b->n;
  b->p = NULL;
  return p;
}

static void do_realloc(model_t *m, block_t *b, size_t n, unsigned tag) {
  if (!b->p) {
    unsigned char *q = hak_realloc(NULL, n);
    adopt(m, b, q, n, HK_ALIGN, hkf_made_class(n, HK_ALIGN), tag);
    hkf_stamp(q, n, b->tag);
    return;
  }
  block_t old = *b;
  void *p = drop(m, b);
  unsigned char *q = hak_realloc(p, n);
  HKF_CHECK(q, "realloc failed within the byte budget", p, n);
  size_t keep = old.n < n ? old.n : n;
  size_t bad = hkf_verify_prefix(q, old.n, keep, old.tag);
  HKF_CHECK(bad == keep, "realloc lost the common prefix", q + bad, keep);
  if (q == p) { /* in place: the block keeps its class, alignment and kind */
    adopt(m, b, q, n, old.align, old.cls, old.tag);
    b->big = old.big;
  } else if (old.big && n > HK_SMALL_MAX) { /* a span or mapping may move (mremap) */
    adopt(m, b, q, n, HK_ALIGN, -1, old.tag);
  } else
    adopt(m, b, q, n, HK_ALIGN, hkf_made_class(n, HK_ALIGN), old.tag);
  /* The new tail gets the pattern too; the prefix already has it. */
  hkf_stamp(q, n, b->tag);
}

/* The aligned family; variant picks the entry point. Returns the block or
 * NULL for a request the API must refuse (checked here). */
static void *aligned(unsigned variant, size_t *align, size_t *n) {
  size_t a = *align;
  switch (variant) {
  case 0:
  default:
    return hak_aligned_alloc(a, *n);
  case 1: {
    void *out = (void *)1;
    int rc = hak_posix_memalign(&out, a, *n);
    if (a < sizeof(void *)) {
      HKF_CHECK(rc == EINVAL && out == (void *)1, "posix_memalign took a bad alignment", out, a);
      return NULL;
    }
    HKF_CHECK(rc == 0, "posix_memalign failed within the byte budget", NULL, *n);
    return out;
  }
  case 2: /* not a power of two: memalign rounds up */
    if (a > 2) {
      void *p = hak_memalign(a - 1, *n);
      return p;
    }
    return hak_memalign(a, *n);
  case 3:
    *align = 4096;
    return hak_valloc(*n);
  case 4:
    *align = 4096;
    *n = *n ? (*n + 4095) & ~(size_t)4095 : 4096;
    return hak_pvalloc(*n);
  case 5: /* a bad alignment is refused with EINVAL */
    errno = 0;
    HKF_CHECK(!hak_aligned_alloc(a + 3 > 4 ? a | 3 : 3, *n) && errno == EINVAL,
              "aligned_alloc took an alignment that is not a power of two", NULL, a);
    return NULL;
  }
}

static void check_stats(const model_t *m) {
  hak_stats_t s = {.size = sizeof s};
  HKF_CHECK(hak_stats_get(&s) == 0, "hak_stats_get failed", NULL, 0);
  HKF_CHECK(s.bytes_in_use == s.small_bytes_in_use + s.large_bytes_in_use,
            "statistics: in use is not small + large", NULL, s.bytes_in_use);
  HKF_CHECK(s.bytes_in_use_peak >= s.bytes_in_use, "statistics: peak below in use", NULL,
            s.bytes_in_use_peak);
  uint64_t small = 0, large = 0;
  for (unsigned i = 0; i < SLOTS; i++) {
    const block_t *b = &m->slot[i];
    if (!b->p)
      continue;
    if (b->big < 2)
      *(b->big ? &large : &small) += b->n;
  }
  HKF_CHECK(s.small_bytes_in_use >= small, "statistics: small in use below the live blocks", NULL,
            small);
  HKF_CHECK(s.large_bytes_in_use >= large, "statistics: large in use below the live blocks", NULL,
            large);
}

/* Requests the API must refuse, NULL pointers, the reports, and the OS
 * refusing maps (fault injection): a failed allocation is NULL with ENOMEM
 * and leaves every live block as it was. */
static void edge_cases(model_t *m, block_t *b, size_t n, unsigned extra) {
  errno = 0;
  switch (extra % 6) {
  case 0:
    HKF_CHECK(!hak_calloc(SIZE_MAX / 4 + 1 + n, 8) && errno == ENOMEM,
              "calloc overflow not refused", NULL, n);
    HKF_CHECK(!hak_pvalloc(SIZE_MAX - n) && errno == ENOMEM, "pvalloc overflow not refused", NULL,
              n);
    break;
  case 1:
    hak_free(NULL);
    hak_free_sized(NULL, n);
    HKF_CHECK(hak_usable_size(NULL) == 0, "usable size of NULL", NULL, 0);
    HKF_CHECK(!hak_owns(&errno), "hak_owns claims foreign memory", &errno, 0);
    HKF_CHECK(errno == 0, "free changed errno", NULL, 0);
    break;
  case 2: {
    void *out = (void *)1;
    HKF_CHECK(!hak_memalign(((size_t)1 << 63) + 1, n) && errno == EINVAL,
              "memalign took an impossible alignment", NULL, n);
    HKF_CHECK(hak_posix_memalign(&out, 24, n) == EINVAL && out == (void *)1,
              "posix_memalign took a bad alignment", NULL, n);
    HKF_CHECK(!hak_aligned_alloc(0, n) && errno == EINVAL, "aligned_alloc took 0", NULL, n);
    break;
  }
  case 3: {
    hak_stats_t s = {.size = 1};
    HKF_CHECK(hak_stats_get(&s) == -1 && errno == EINVAL, "stats_get took a short buffer", NULL, 0);
    struct mallinfo2 mi = hak_mallinfo2();
    HKF_CHECK(mi.uordblks + mi.hblkhd >= m->bytes, "mallinfo2 below the live bytes", NULL,
              mi.uordblks);
    FILE *f = fopen("/dev/null", "w");
    if (f) {
      HKF_CHECK(hak_malloc_info(0, f) == 0, "malloc_info failed", NULL, 0);
      HKF_CHECK(hak_malloc_info(1, f) == -1 && errno == EINVAL, "malloc_info took options", NULL,
                0);
      HKF_CHECK(hak_stats_json(f) == 0, "hak_stats_json failed", NULL, 0);
      fclose(f);
    }
    break;
  }
  case 5: { /* small aligned blocks share slabs: not a mapping per request */
    size_t align = (size_t)32 << extra % 8, sz = n % 4097;
    void *held[8];
    hk_os_counters_t before, after;
    hk_os_get_counters(&before);
    for (unsigned i = 0; i < 8; i++) {
      held[i] = hak_aligned_alloc(align, sz);
      hkf_check_block(held[i], sz, align, hkf_made_class(sz, align));
    }
    hk_os_get_counters(&after);
    for (unsigned i = 0; i < 8; i++)
      hak_free(held[i]);
    HKF_CHECK(after.maps - before.maps <= 2,
              "small aligned requests map memory each (a mapping per aligned request)", NULL,
              (size_t)(after.maps - before.maps));
    break;
  }
  case 4: { /* the OS refuses the next maps */
    int fails = 1 + (int)(extra >> 3) % 2;
    size_t align = (extra & 0x80) ? (size_t)4 << 20 : HK_ALIGN;
    if (b->p)
      hak_free(drop(m, b));
    hk_os_fail_next_maps(fails);
    unsigned char *p = align > HK_ALIGN ? hak_aligned_alloc(align, n) : hak_malloc(n);
    int err = errno;
    hk_os_fail_next_maps(0);
    /* A fresh over-aligned mapping cannot come from a cache: two refusals
     * (the map and its retry after the OOM hook) must fail it. */
    if (align > HK_ALIGN && fails == 2)
      HKF_CHECK(!p, "allocation succeeded although the OS refused every map", p, n);
    if (!p) {
      HKF_CHECK(err == ENOMEM, "failed allocation without ENOMEM", NULL, n);
      for (unsigned i = 0; i < SLOTS; i++)
        if (m->slot[i].p)
          check_fill(&m->slot[i]);
      break;
    }
    adopt(m, b, p, n, align, hkf_made_class(n, align), extra);
    hkf_stamp(p, n, b->tag);
    break;
  }
  }
}

static void run(model_t *m, const uint8_t *data, size_t size) {
  hkf_in_t in = {data, data + size};
  while (hkf_more(&in)) {
    unsigned op = hkf_u8(&in) & 15;
    block_t *b = &m->slot[hkf_u8(&in) % SLOTS];
    size_t n = hkf_size(hkf_u16(&in));
    unsigned extra = hkf_u8(&in);
    unsigned tag = extra ^ op;
    if (m->bytes + n > BYTE_BUDGET)
      n = 0;
    /* Ops that make a new block free the slot's block first. */
    if (b->p && op != 3 && op != 4 && op != 9 && op != 10 && op != 11 && op != 12)
      hak_free(drop(m, b));
    switch (op) {
    case 0:
    case 1:
    case 15: {
      unsigned char *p = hak_malloc(n);
      adopt(m, b, p, n, HK_ALIGN, hkf_made_class(n, HK_ALIGN), tag);
      hkf_stamp(p, n, b->tag);
      break;
    }
    case 2: { /* calloc: count x each, zeroed (also a reused block) */
      size_t count = 1 + extra % 8, each = n / count;
      unsigned char *p = hak_calloc(count, each);
      adopt(m, b, p, count * each, HK_ALIGN, hkf_made_class(count * each, HK_ALIGN), tag);
      HKF_CHECK(hkf_is_zero(p, b->n), "calloc block not zeroed", p, b->n);
      hkf_stamp(p, b->n, b->tag);
      break;
    }
    case 3: /* realloc: grows, shrinks, in place or moved */
      do_realloc(m, b, n ? n : 1, tag);
      break;
    case 4: /* realloc to 0 frees (glibc) */
      if (b->p) {
        void *p = drop(m, b);
        HKF_CHECK(hak_realloc(p, 0) == NULL, "realloc(p, 0) did not free", p, 0);
      }
      break;
    case 5:
      break; /* free: done above */
    case 6:  /* aligned, then freed at once with free_aligned_sized */
    case 7: {
      size_t align = (size_t)1 << (extra % (MAX_ALIGN_LG + 1));
      void *p = aligned(extra >> 5, &align, &n);
      if (!p)
        break;
      adopt(m, b, p, n, align, hkf_made_class(n, align), tag);
      hkf_stamp(p, n, b->tag);
      if (op == 6) {
        size_t sz = b->n;
        hak_free_aligned_sized(drop(m, b), align, sz);
      }
      break;
    }
    case 8: {
      unsigned char *p = hak_malloc(n);
      adopt(m, b, p, n, HK_ALIGN, hkf_made_class(n, HK_ALIGN), tag);
      hkf_stamp(p, n, b->tag);
      if (extra & 1)
        hak_free_sized(drop(m, b), n);
      else
        hk_free_sized(drop(m, b), n); /* C++ sized delete */
      break;
    }
    case 9: /* a live block's usable size and fill */
      if (b->p) {
        hkf_check_block(b->p, b->n, b->align, b->cls);
        check_fill(b);
      }
      break;
    case 10: /* malloc_trim with blocks live: none of them may change */
      hak_malloc_trim(extra);
      for (unsigned i = 0; i < SLOTS; i++)
        if (m->slot[i].p)
          check_fill(&m->slot[i]);
      break;
    case 11:
      check_stats(m);
      break;
    case 12: { /* reallocarray: an overflowing product leaves the block alone */
      if (extra & 1) {
        errno = 0;
        void *q = hak_reallocarray(b->p, SIZE_MAX / 2 + 1, 2 + (extra & 6));
        HKF_CHECK(!q && errno == ENOMEM, "reallocarray overflow not refused", b->p, 0);
        if (b->p)
          check_fill(b);
      } else if (b->p) {
        block_t old = *b;
        void *p = drop(m, b);
        size_t count = 1 + (extra >> 1) % 4, each = (n ? n : 1) / count + 1;
        unsigned char *q = hak_reallocarray(p, count, each);
        size_t keep = old.n < count * each ? old.n : count * each;
        HKF_CHECK(q && hkf_verify_prefix(q, old.n, keep, old.tag) == keep,
                  "reallocarray lost the prefix", q, keep);
        int moved_big = q != p && old.big && count * each > HK_SMALL_MAX;
        adopt(m, b, q, count * each, q == p ? old.align : HK_ALIGN,
              q == p      ? old.cls
              : moved_big ? -1
                          : hkf_made_class(count * each, HK_ALIGN),
              old.tag);
        if (q == p)
          b->big = old.big;
        hkf_stamp(q, b->n, b->tag);
      }
      break;
    }
    case 13:
      edge_cases(m, b, n, extra);
      break;
    case 14: { /* malloc(0) is a unique, freeable pointer */
      unsigned char *p = hak_malloc(0);
      adopt(m, b, p, 0, HK_ALIGN, hkf_made_class(0, HK_ALIGN), tag);
      break;
    }
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static hkf_usage_t base;
  static int have_base;
  if (!have_base) {
    hak_malloc_trim(0);
    hkf_usage(&base);
    have_base = 1;
  }
  static model_t m;
  memset(&m, 0, sizeof m);
  m.live = (hkf_ivset_t){m.iv, 0, SLOTS};
  run(&m, data, size);
  for (unsigned i = 0; i < SLOTS; i++)
    if (m.slot[i].p)
      hak_free(drop(&m, &m.slot[i]));
  hak_malloc_trim(0);
  hkf_usage_t now;
  hkf_usage(&now);
  hkf_usage_same(&base, &now);
  return 0;
}
