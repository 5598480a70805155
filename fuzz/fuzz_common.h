/* What the harnesses share: an input reader, request sizes that reach every
 * size range, a sampled fill pattern, the checks every block must pass, a
 * sorted table of live intervals (overlap check in O(log n)), and the
 * statistics that must return to where they began.
 *
 * Header-only (static functions): each harness is one translation unit, and
 * the OSS-Fuzz build compiles each alone. */
#ifndef HAKMEM_FUZZ_COMMON_H
#define HAKMEM_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hakmem/core/debug.h"
#include "hakmem/core/size_class.h"
#include "hakmem/core/span.h"
#include "hakmem/core/superslab.h"
#include "hakmem/hakmem.h"

/* Known open bugs: a check that fails on today's code for a bug being fixed
 * elsewhere is switched by its own macro HKF_CHECK_<NAME>, which defaults to
 * HKF_KNOWN_BUGS: on in libFuzzer builds (FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION:
 * OSS-Fuzz, tools/fuzz.sh), off in the replay tests and in the bounded
 * `bazel test --config=fuzz` run, so that they stay green until the fix
 * lands. fuzz/README.md lists them. */
#ifndef HKF_KNOWN_BUGS
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define HKF_KNOWN_BUGS 1
#else
#define HKF_KNOWN_BUGS 0
#endif
#endif

__attribute__((noreturn)) static inline void hkf_fail(const char *what, const void *p, size_t n) {
  fprintf(stderr, "hakmem fuzz: %s (block %p, %zu bytes)\n", what, p, n);
  abort();
}
#define HKF_CHECK(cond, what, p, n)                                                                \
  do {                                                                                             \
    if (!(cond))                                                                                   \
      hkf_fail(what, p, n);                                                                        \
  } while (0)

/* Input bytes; reads past the end give 0. */
typedef struct {
  const uint8_t *p, *end;
} hkf_in_t;

static inline int hkf_more(const hkf_in_t *in) { return in->p < in->end; }
static inline unsigned hkf_u8(hkf_in_t *in) { return in->p < in->end ? *in->p++ : 0; }
static inline unsigned hkf_u16(hkf_in_t *in) {
  unsigned lo = hkf_u8(in);
  return lo | hkf_u8(in) << 8;
}

/* Sizes where the allocator changes behaviour: class and range boundaries. */
static const size_t hkf_edges[] = {
    0,
    1,
    8,
    15,
    16,
    17,
    HK_TINY_MAX,
    HK_TABLE_MAX,
    HK_TABLE_MAX + 1,
    4096,
    HK_SMALL_MAX - 1,
    HK_SMALL_MAX,
    HK_SMALL_MAX + 1,
    HK_UNIT_SIZE - HK_SPAN_OFFSET,
    HK_UNIT_SIZE - HK_SPAN_OFFSET + 1,
    2 * HK_UNIT_SIZE - HK_SPAN_OFFSET, /* a span that just fits its units */
    2 * HK_UNIT_SIZE - HK_SPAN_OFFSET + 1,
    HK_SPAN_MAX - 1,
    HK_SPAN_MAX,
    HK_SPAN_MAX + 1,
    HK_SS_SIZE - 64,
    HK_SS_SIZE - 63,
    (size_t)4 << 20,
};
#define HKF_EDGES       (sizeof hkf_edges / sizeof hkf_edges[0])
#define HKF_MAX_REQUEST ((size_t)4 << 20)

/* A request size from two bytes: the top three bits pick the range. */
static inline size_t hkf_size(unsigned v) {
  unsigned low = v & 0x1FFF;
  switch (v >> 13) {
  case 0:
  case 1:
  case 2: /* tiny */
    return low % (HK_TINY_MAX + 1);
  case 3: /* mid */
    return HK_TINY_MAX + 1 + (size_t)low * 8 % (HK_SMALL_MAX - HK_TINY_MAX);
  case 4: /* a class edge, +-1 */
    return hk_class_usable(low % HK_NUM_CLASSES) + (low >> 6) % 3 - 1;
  case 5: /* span */
    return HK_SMALL_MAX + 1 + (size_t)low * 131 % (HK_SPAN_MAX - HK_SMALL_MAX);
  case 6: /* large */
    return HK_SPAN_MAX + 1 + (size_t)low * 384 % (HKF_MAX_REQUEST - HK_SPAN_MAX);
  default:
    return hkf_edges[low % HKF_EDGES];
  }
}

/* The fill pattern covers a block's first and last 64 bytes and one byte in
 * every 64 KiB between: enough to see an overlap or a short copy, cheap for a
 * 4 MiB block. */
#define HKF_EDGE 64
static inline size_t hkf_next_byte(size_t i, size_t n) {
  if (i + 1 < HKF_EDGE || i + 1 + HKF_EDGE >= n)
    return i + 1;
  return i + 65536 < n - HKF_EDGE ? i + 65536 : n - HKF_EDGE;
}
static inline unsigned char hkf_byte(unsigned char tag, size_t i) {
  return (unsigned char)(tag + i + (i >> 8));
}
static inline void hkf_stamp(unsigned char *p, size_t n, unsigned char tag) {
  for (size_t i = 0; i < n; i = hkf_next_byte(i, n))
    p[i] = hkf_byte(tag, i);
}
/* The first byte below `keep` of a block stamped with n bytes that lost its
 * pattern, or keep. */
static inline size_t hkf_verify_prefix(const unsigned char *p, size_t n, size_t keep,
                                       unsigned char tag) {
  for (size_t i = 0; i < n && i < keep; i = hkf_next_byte(i, n))
    if (p[i] != hkf_byte(tag, i))
      return i;
  return keep;
}
static inline size_t hkf_verify(const unsigned char *p, size_t n, unsigned char tag) {
  return hkf_verify_prefix(p, n, n, tag);
}
static inline int hkf_is_zero(const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i = hkf_next_byte(i, n))
    if (p[i])
      return 0;
  return 1;
}

/* The class header a block must carry: a class or HK_TAG_SPAN; HKF_ALIGNED_CLASS
 * for an aligned request that a slab or a span may serve (any class whose
 * blocks hold the request with the alignment, or a span); -1 if there is none
 * to check (large blocks, builds without the header byte). */
#define HKF_ALIGNED_CLASS (-2)
static inline int hkf_made_class(size_t request, size_t align) {
  if (!HK_HDR)
    return -1;
  if (align > HK_ALIGN)
    return align <= HK_SPAN_ALIGN_MAX && request <= HK_SPAN_ALIGNED_MAX ? HKF_ALIGNED_CLASS : -1;
  if (request <= HK_SMALL_MAX)
    return (int)hk_size_class(request);
  return request <= HK_SPAN_MAX ? HK_TAG_SPAN : -1;
}

/* The checks of a fresh or resized block: 16 and the requested alignment,
 * usable size at least the request, and the header byte: the class the block
 * was made with (hkf_made_class). Returns the usable size (under ASan
 * hak_usable_size reads the block's shadow, O(size): ask once). */
static inline size_t hkf_check_block(const void *p, size_t n, size_t align, int made_class) {
  HKF_CHECK(p, "allocation failed within the byte budget", p, n);
  HKF_CHECK((uintptr_t)p % HK_ALIGN == 0, "not 16-byte aligned", p, n);
  HKF_CHECK(align < 2 || (uintptr_t)p % align == 0, "not aligned as requested", p, n);
  size_t usable = hak_usable_size(p);
  HKF_CHECK(usable >= n, "usable size below the request", p, n);
  HKF_CHECK(hak_owns(p), "hak_owns denies a live block", p, n);
#if HK_HDR
  /* The header byte holds the class's tag (hk_class_tag), a span's HK_TAG_SPAN;
   * aligned classes have none but in hardened builds: their unit's class. */
  if (made_class == HKF_ALIGNED_CLASS) {
    unsigned unit_cls = hk_ss_of(p)->unit_cls[hk_unit_of(p)], tag = unit_cls, c = unit_cls;
    if (hk_class_hdr(unit_cls))
      c = hk_tag_class_of(tag = hk_hdr_load(p));
    HKF_CHECK(tag == HK_TAG_SPAN ||
                  (c < HK_SLAB_CLASSES && hk_class_usable(c) >= n && hk_class_align(c) >= align &&
                   (!hk_class_hdr(c) || hk_class_tag(c) == tag)),
              "aligned block's class does not hold it with its alignment", p, n);
  } else if (made_class >= 0) {
    unsigned tag = hk_hdr_load(p);
    unsigned want = made_class == HK_TAG_SPAN ? HK_TAG_SPAN : hk_class_tag((unsigned)made_class);
    HKF_CHECK(tag == want, "class header disagrees with the block's class", p, n);
    /* Under ASan the usable size may be the request (as ASan's own malloc). */
    if (made_class < HK_NUM_CLASSES && !HK_ASAN)
      HKF_CHECK(usable == hk_class_usable((unsigned)made_class), "usable size is not the class's",
                p, n);
  }
#else
  (void)made_class;
#endif
  return usable;
}

/* Live intervals [lo, hi), sorted by lo: a new one must not meet either
 * neighbour. */
typedef struct {
  uintptr_t lo, hi;
} hkf_iv_t;
typedef struct {
  hkf_iv_t *v;
  size_t n, cap;
} hkf_ivset_t;

static inline size_t hkf_iv_find(const hkf_ivset_t *s, uintptr_t lo) {
  size_t a = 0, b = s->n;
  while (a < b) {
    size_t m = (a + b) / 2;
    if (s->v[m].lo < lo)
      a = m + 1;
    else
      b = m;
  }
  return a;
}
static inline void hkf_iv_add(hkf_ivset_t *s, const void *p, size_t n) {
  uintptr_t lo = (uintptr_t)p, hi = lo + (n ? n : 1);
  size_t i = hkf_iv_find(s, lo);
  HKF_CHECK(i == s->n || s->v[i].lo >= hi, "two live blocks overlap", p, n);
  HKF_CHECK(i == 0 || s->v[i - 1].hi <= lo, "two live blocks overlap", p, n);
  if (s->n == s->cap)
    hkf_fail("interval table full (harness bug)", p, n);
  memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof s->v[0]);
  s->v[i] = (hkf_iv_t){lo, hi};
  s->n++;
}
static inline void hkf_iv_del(hkf_ivset_t *s, const void *p) {
  size_t i = hkf_iv_find(s, (uintptr_t)p);
  HKF_CHECK(i < s->n && s->v[i].lo == (uintptr_t)p, "interval missing (harness bug)", p, 0);
  memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof s->v[0]);
  s->n--;
}

/* Bytes in use as the statistics count them, after the calling thread's cache
 * went back to the slabs (malloc_trim flushes it). */
typedef struct {
  uint64_t small, large;
  uint64_t blocks[HAK_STATS_CLASSES];
  uint64_t resident;
  uint64_t heaps; /* thread heaps ever made */
} hkf_usage_t;
static inline void hkf_usage(hkf_usage_t *u) {
  hak_stats_t s = {.size = sizeof s};
  if (hak_stats_get(&s) != 0)
    hkf_fail("hak_stats_get failed", NULL, 0);
  u->small = s.small_bytes_in_use;
  u->large = s.large_bytes_in_use;
  for (unsigned c = 0; c < HAK_STATS_CLASSES; c++)
    u->blocks[c] = s.classes[c].blocks_out;
  u->resident = s.os_resident;
  u->heaps = s.heaps;
}
static inline void hkf_usage_same(const hkf_usage_t *before, const hkf_usage_t *after) {
  for (unsigned c = 0; c < HAK_STATS_CLASSES; c++)
    HKF_CHECK(before->blocks[c] == after->blocks[c],
              "statistics: blocks out of a class did not return to the start", NULL, c);
  HKF_CHECK(before->small == after->small,
            "statistics: small bytes in use did not return to the start", NULL, after->small);
  HKF_CHECK(before->large == after->large,
            "statistics: large bytes in use did not return to the start", NULL, after->large);
}

#endif /* HAKMEM_FUZZ_COMMON_H */
