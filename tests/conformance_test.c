/* Conformance of every malloc entry point to glibc's semantics (issue 4).
 *
 * By default this links the malloc override and calls malloc, free, ... and the
 * glibc aliases by their real names; under the sanitizer configs (-DUSE_HAK) the
 * same checks go through the hak_* API (tests/entry_points.h).
 *
 * Checked: errno kept by every free; realloc(p, 0) frees; realloc(NULL, n)
 * allocates; overflow and sizes above PTRDIFF_MAX give NULL + ENOMEM; bad
 * alignments give EINVAL with the out-pointer untouched; every power-of-two
 * alignment up to 4 MiB is honoured; valloc/pvalloc; usable size; pointers from
 * every entry point accepted by free, realloc and malloc_usable_size; calloc
 * zeroes recycled memory; data kept across realloc through every size range;
 * 16-byte alignment; unique malloc(0).
 *
 * Built with -fno-builtin so that the compiler cannot drop the stores that dirty
 * a block before free, nor reason about malloc's result. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/check.h"
#include "tests/entry_points.h"

#define KIB            ((size_t)1 << 10)
#define MIB            ((size_t)1 << 20)
#define ERRNO_SENTINEL 4242

/* Keeps a constant out of the compiler's sight (no alloc-size warnings, no
 * folding of checks on it). */
static size_t opaque(size_t n) {
  volatile size_t v = n;
  return v;
}

static void fill(void *p, size_t n, unsigned seed) {
  unsigned char *c = p;
  for (size_t i = 0; i < n; i++)
    c[i] = (unsigned char)(seed * 131u + i * 7u + (i >> 8));
}

static void verify(const void *p, size_t n, unsigned seed) {
  const unsigned char *c = p;
  for (size_t i = 0; i < n; i++) {
    if (c[i] != (unsigned char)(seed * 131u + i * 7u + (i >> 8))) {
      fprintf(stderr, "pattern %u broken at byte %zu of %zu (block %p)\n", seed, i, n, p);
      CHECK(0);
    }
  }
}

static void check_zero(const void *p, size_t n) {
  const unsigned char *c = p;
  for (size_t i = 0; i < n; i++) {
    if (c[i]) {
      fprintf(stderr, "calloc'd block %p: byte %zu of %zu is 0x%02x\n", p, i, n, c[i]);
      CHECK(0);
    }
  }
}

/* Every block: non-NULL, 16-byte aligned, at least n usable bytes. */
static void check_block(const void *p, size_t n) {
  CHECK(p != NULL);
  CHECK_EQ((uintptr_t)p % alignof(max_align_t), 0);
  CHECK((uintptr_t)p % 16 == 0);
  size_t usable = T_USABLE_SIZE((void *)p);
  if (usable < n) {
    fprintf(stderr, "usable size %zu < %zu requested (block %p)\n", usable, n, p);
    CHECK(0);
  }
}

/* The ways to free a block; each must keep errno. */
enum { FREE_PLAIN, FREE_CFREE, FREE_LIBC, FREE_SIZED, FREE_ALIGNED_SIZED, FREE_WAYS };

static void free_by(int how, void *p, size_t align, size_t n) {
  errno = ERRNO_SENTINEL;
  switch (how) {
  case FREE_PLAIN:
    T_FREE(p);
    break;
  case FREE_CFREE:
    T_CFREE(p);
    break;
  case FREE_LIBC:
    T_LIBC_FREE(p);
    break;
  case FREE_SIZED:
    T_FREE_SIZED(p, n);
    break;
  case FREE_ALIGNED_SIZED:
    T_FREE_ALIGNED_SIZED(p, align, n);
    break;
  default:
    CHECK(0);
  }
  CHECK_EQ(errno, ERRNO_SENTINEL);
}

/* Every allocating entry point as one signature. */
typedef struct way {
  const char *name;
  void *(*alloc)(size_t n);
  size_t align;   /* the alignment the result must have */
  int zeroed;     /* calloc: the n bytes must be zero */
  int page_round; /* pvalloc: usable >= n rounded up to a page */
  int sized_free; /* free_sized (or free_aligned_sized when align_free) applies */
  int align_free; /* from aligned_alloc: free_aligned_sized(p, align, n) applies */
} way_t;

static void *w_malloc(size_t n) { return T_MALLOC(n); }
static void *w_calloc1(size_t n) { return T_CALLOC(1, n); }
static void *w_calloc2(size_t n) { return T_CALLOC(n, 1); }
static void *w_realloc(size_t n) { return T_REALLOC(NULL, n); }
static void *w_reallocarray(size_t n) { return T_REALLOCARRAY(NULL, n, 1); }
static void *w_pm8(size_t n) {
  void *p = NULL;
  return T_POSIX_MEMALIGN(&p, 8, n) == 0 ? p : NULL;
}
static void *w_pm64(size_t n) {
  void *p = NULL;
  return T_POSIX_MEMALIGN(&p, 64, n) == 0 ? p : NULL;
}
static void *w_pm4096(size_t n) {
  void *p = NULL;
  return T_POSIX_MEMALIGN(&p, 4096, n) == 0 ? p : NULL;
}
static void *w_aa32(size_t n) { return T_ALIGNED_ALLOC(32, n); }
static void *w_aa2m(size_t n) { return T_ALIGNED_ALLOC(2 * MIB, n); }
static void *w_memalign256(size_t n) { return T_MEMALIGN(256, n); }
static void *w_valloc(size_t n) { return T_VALLOC(n); }
static void *w_pvalloc(size_t n) { return T_PVALLOC(n); }
static void *w_libc_malloc(size_t n) { return T_LIBC_MALLOC(n); }
static void *w_libc_calloc(size_t n) { return T_LIBC_CALLOC(n, 1); }
static void *w_libc_realloc(size_t n) { return T_LIBC_REALLOC(NULL, n); }
static void *w_libc_memalign(size_t n) { return T_LIBC_MEMALIGN(128, n); }
static void *w_libc_valloc(size_t n) { return T_LIBC_VALLOC(n); }
static void *w_libc_pvalloc(size_t n) { return T_LIBC_PVALLOC(n); }
static void *w_libc_pm(size_t n) {
  void *p = NULL;
  return T_LIBC_POSIX_MEMALIGN(&p, 8192, n) == 0 ? p : NULL;
}

static const way_t ways[] = {
    {"malloc", w_malloc, 16, 0, 0, 1, 0},
    {"calloc(1, n)", w_calloc1, 16, 1, 0, 1, 0},
    {"calloc(n, 1)", w_calloc2, 16, 1, 0, 1, 0},
    {"realloc(NULL, n)", w_realloc, 16, 0, 0, 1, 0},
    {"reallocarray(NULL, n, 1)", w_reallocarray, 16, 0, 0, 1, 0},
    {"posix_memalign(8)", w_pm8, 16, 0, 0, 0, 0},
    {"posix_memalign(64)", w_pm64, 64, 0, 0, 0, 0},
    {"posix_memalign(4096)", w_pm4096, 4096, 0, 0, 0, 0},
    {"aligned_alloc(32)", w_aa32, 32, 0, 0, 1, 1},
    {"aligned_alloc(2 MiB)", w_aa2m, 2 * MIB, 0, 0, 1, 1},
    {"memalign(256)", w_memalign256, 256, 0, 0, 0, 0},
    {"valloc", w_valloc, 4096, 0, 0, 0, 0},
    {"pvalloc", w_pvalloc, 4096, 0, 1, 0, 0},
    {"__libc_malloc", w_libc_malloc, 16, 0, 0, 1, 0},
    {"__libc_calloc", w_libc_calloc, 16, 1, 0, 1, 0},
    {"__libc_realloc(NULL, n)", w_libc_realloc, 16, 0, 0, 1, 0},
    {"__libc_memalign(128)", w_libc_memalign, 128, 0, 0, 0, 0},
    {"__libc_valloc", w_libc_valloc, 4096, 0, 0, 0, 0},
    {"__libc_pvalloc", w_libc_pvalloc, 4096, 0, 1, 0, 0},
    {"__posix_memalign(8192)", w_libc_pm, 8192, 0, 0, 0, 0},
};
#define NUM_WAYS (sizeof ways / sizeof ways[0])

static const size_t way_sizes[] = {0,    1,     24,    100,   1000,   1024,       1025,
                                   5000, 32768, 32769, 40000, 100000, 3 * MIB + 5};
#define NUM_WAY_SIZES (sizeof way_sizes / sizeof way_sizes[0])

static size_t page_round(size_t n) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  return (n + page - 1) & ~(page - 1);
}

/* A block from w: aligned, big enough, zeroed if it must be. */
static void *alloc_checked(const way_t *w, size_t n) {
  void *p = w->alloc(n);
  if (p == NULL)
    fprintf(stderr, "%s(%zu) returned NULL (errno %d)\n", w->name, n, errno);
  check_block(p, w->page_round ? page_round(n) : n);
  if ((uintptr_t)p % w->align) {
    fprintf(stderr, "%s(%zu) = %p: not %zu-aligned\n", w->name, n, p, w->align);
    CHECK(0);
  }
  if (w->zeroed)
    check_zero(p, n);
  return p;
}

/* free, realloc and malloc_usable_size accept a pointer from every entry point;
 * realloc keeps the data of every kind of block, aligned ones included. */
static void every_entry_point(void) {
  unsigned seed = 1;
  for (size_t wi = 0; wi < NUM_WAYS; wi++) {
    const way_t *w = &ways[wi];
    for (size_t si = 0; si < NUM_WAY_SIZES; si++) {
      size_t n = way_sizes[si];
      /* 1: straight to a free function (each in turn). */
      void *p = alloc_checked(w, n);
      fill(p, n, seed);
      verify(p, n, seed);
      int how = (int)((wi + si) % 3); /* free, cfree, __libc_free */
      if (w->sized_free && si % 2 == 0)
        how = w->align_free ? FREE_ALIGNED_SIZED : FREE_SIZED;
      free_by(how, p, w->align, n);
      seed++;

      /* 2: realloc up, then down, then free. */
      p = alloc_checked(w, n);
      fill(p, n, seed);
      size_t up = n * 2 + 50;
      void *q = (si % 2) ? T_LIBC_REALLOC(p, up) : T_REALLOC(p, up);
      if (q == NULL)
        fprintf(stderr, "realloc of a %s(%zu) block to %zu failed\n", w->name, n, up);
      check_block(q, up);
      verify(q, n, seed);
      fill(q, up, seed + 1);
      size_t down = n / 2 + 1;
      void *r = T_REALLOC(q, down);
      check_block(r, down);
      verify(r, down, seed + 1);
      free_by(FREE_PLAIN, r, 16, down);
      seed += 2;

      /* 3: realloc in place of the same size keeps it all. */
      p = alloc_checked(w, n);
      fill(p, n, seed);
      q = T_REALLOC(p, n ? n : 1);
      check_block(q, n);
      verify(q, n, seed);
      free_by(FREE_LIBC, q, 16, n);
      seed++;
    }
  }
  errno = ERRNO_SENTINEL;
  T_FREE(NULL);
  T_CFREE(NULL);
  T_LIBC_FREE(NULL);
  T_FREE_SIZED(NULL, 0);
  T_FREE_ALIGNED_SIZED(NULL, 64, 0);
  CHECK_EQ(errno, ERRNO_SENTINEL);
  CHECK_EQ(T_USABLE_SIZE(NULL), 0);
}

/* glibc: realloc(p, 0) frees p and returns NULL; realloc(NULL, n) is malloc. */
static void realloc_edges(void) {
  hak_stats_t before, mid, after;
  before.size = mid.size = after.size = sizeof(hak_stats_t);

  /* A large block: the free shows in the large counters. */
  CHECK_EQ(hak_stats_get(&before), 0);
  void *p = T_MALLOC(4 * MIB);
  check_block(p, 4 * MIB);
  fill(p, 4096, 9);
  CHECK_EQ(hak_stats_get(&mid), 0);
  CHECK(mid.large_allocs >= before.large_allocs + 1);
  CHECK(T_REALLOC(p, 0) == NULL);
  CHECK_EQ(hak_stats_get(&after), 0);
  CHECK(after.large_frees >= mid.large_frees + 1);
  CHECK(after.large_bytes_in_use + 4 * MIB <= mid.large_bytes_in_use);

  /* Small blocks: 200,000 realloc(p, 0) must not leak 20 MB. */
  CHECK_EQ(hak_stats_get(&before), 0);
  for (int i = 0; i < 200000; i++) {
    void *s = (i % 2) ? T_MALLOC(100) : T_LIBC_REALLOC(NULL, 5000);
    CHECK(s != NULL);
    CHECK((i % 2 ? T_REALLOC(s, 0) : T_LIBC_REALLOC(s, 0)) == NULL);
  }
  CHECK_EQ(hak_stats_get(&after), 0);
  if (after.bytes_in_use > before.bytes_in_use + 4 * MIB) {
    fprintf(stderr, "realloc(p, 0) leaks: bytes in use %llu -> %llu\n",
            (unsigned long long)before.bytes_in_use, (unsigned long long)after.bytes_in_use);
    CHECK(0);
  }

  /* realloc(NULL, n) allocates n usable bytes. */
  for (size_t n = 0; n < 300 * KIB; n = n * 2 + 3) {
    p = T_REALLOC(NULL, n);
    check_block(p, n);
    fill(p, n, 4);
    verify(p, n, 4);
    T_FREE(p);
  }
  /* realloc(NULL, 0) is malloc(0): a unique block. */
  p = T_REALLOC(NULL, 0);
  void *q = T_REALLOC(NULL, 0);
  check_block(p, 0);
  check_block(q, 0);
  CHECK(p != q);
  T_FREE(p);
  T_FREE(q);
}

/* Data survives realloc growing and shrinking through tiny, mid and large. */
static void realloc_preserves_data(void) {
  static const size_t steps[] = {
      1,       7,           16,     17,       100,   500,     1000,    1024,     1025,
      3000,    16000,       32767,  32768,    32769, 70000,   1 * MIB, 3 * MIB,  8 * MIB + 5,
      5 * MIB, 1 * MIB + 1, 200000, 40000,    32768, 20000,   1025,    1024,     1000,
      200,     16,          1,      33 * KIB, 2,     5 * MIB, 3,       900 * KIB};
  size_t n = 0;
  unsigned seed = 77;
  unsigned char *p = NULL;
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
    size_t m = steps[i];
    unsigned char *q = T_REALLOC(p, m);
    check_block(q, m);
    verify(q, n < m ? n : m, seed);
    seed++;
    fill(q, m, seed);
    p = q;
    n = m;
  }
  /* A large block grown a page at a time (in place or moved, never lost). */
  for (int i = 0; i < 64; i++) {
    size_t m = n + 4096 + (size_t)i;
    unsigned char *q = T_REALLOC(p, m);
    check_block(q, m);
    verify(q, n, seed);
    seed++;
    fill(q, m, seed);
    p = q;
    n = m;
  }
  /* And shrunk a page at a time. */
  for (int i = 0; i < 64; i++) {
    size_t m = n - 4096 - (size_t)i;
    unsigned char *q = T_REALLOC(p, m);
    check_block(q, m);
    verify(q, m, seed);
    seed++;
    fill(q, m, seed);
    p = q;
    n = m;
  }
  T_FREE(p);

  /* Every size 1..2100 grown by one byte at a time, then shrunk. */
  p = NULL;
  n = 0;
  for (size_t m = 1; m <= 2100; m++) {
    unsigned char *q = T_REALLOC(p, m);
    check_block(q, m);
    verify(q, n, 5);
    q[m - 1] = (unsigned char)(5 * 131u + (m - 1) * 7u + ((m - 1) >> 8));
    p = q;
    n = m;
  }
  for (size_t m = 2099; m >= 3; m -= 3) {
    unsigned char *q = T_REALLOC(p, m);
    check_block(q, m);
    verify(q, m, 5);
    p = q;
  }
  T_FREE(p);
}

static void check_enomem(void *p, const char *what, size_t n) {
  if (p != NULL || errno != ENOMEM) {
    fprintf(stderr, "%s with size %#zx: got %p errno %d, want NULL and ENOMEM\n", what, n, p,
            errno);
    CHECK(0);
  }
}

/* Every size above PTRDIFF_MAX (and sizes no mapping can hold) fails with
 * NULL + ENOMEM; an existing block given to a failing realloc is untouched. */
static void too_large(void) {
  const size_t huge[] = {
      (size_t)PTRDIFF_MAX + 1,
      (size_t)PTRDIFF_MAX + 4096,
      (size_t)PTRDIFF_MAX + 4 * MIB,
      SIZE_MAX - 4 * MIB,
      SIZE_MAX - 4096,
      SIZE_MAX - 16,
      SIZE_MAX - 1,
      SIZE_MAX,
      /* At or below PTRDIFF_MAX, but no mapping can be this big. */
      (size_t)PTRDIFF_MAX,
      (size_t)PTRDIFF_MAX - 4096,
      (size_t)PTRDIFF_MAX - 4 * MIB,
      (size_t)1 << 62,
  };
  unsigned char *old = T_MALLOC(1000);
  check_block(old, 1000);
  fill(old, 1000, 11);
  unsigned char *old_large = T_MALLOC(2 * MIB);
  check_block(old_large, 2 * MIB);
  fill(old_large, 2 * MIB, 12);

  for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
    size_t n = opaque(huge[i]);
    errno = 0;
    check_enomem(T_MALLOC(n), "malloc", n);
    errno = 0;
    check_enomem(T_LIBC_MALLOC(n), "__libc_malloc", n);
    errno = 0;
    check_enomem(T_CALLOC(1, n), "calloc(1, n)", n);
    errno = 0;
    check_enomem(T_CALLOC(n, 1), "calloc(n, 1)", n);
    errno = 0;
    check_enomem(T_LIBC_CALLOC(n, 1), "__libc_calloc", n);
    errno = 0;
    check_enomem(T_REALLOC(NULL, n), "realloc(NULL, n)", n);
    errno = 0;
    check_enomem(T_REALLOC(old, n), "realloc(small, n)", n);
    errno = 0;
    check_enomem(T_LIBC_REALLOC(old_large, n), "__libc_realloc(large, n)", n);
    errno = 0;
    check_enomem(T_REALLOCARRAY(NULL, 1, n), "reallocarray(NULL, 1, n)", n);
    errno = 0;
    check_enomem(T_REALLOCARRAY(old, n, 1), "reallocarray(small, n, 1)", n);
    errno = 0;
    check_enomem(T_ALIGNED_ALLOC(16, n), "aligned_alloc(16)", n);
    errno = 0;
    check_enomem(T_ALIGNED_ALLOC(4096, n), "aligned_alloc(4096)", n);
    errno = 0;
    check_enomem(T_ALIGNED_ALLOC(4 * MIB, n), "aligned_alloc(4 MiB)", n);
    errno = 0;
    check_enomem(T_MEMALIGN(64, n), "memalign(64)", n);
    errno = 0;
    check_enomem(T_LIBC_MEMALIGN(1 * MIB, n), "__libc_memalign(1 MiB)", n);
    errno = 0;
    check_enomem(T_VALLOC(n), "valloc", n);
    errno = 0;
    check_enomem(T_PVALLOC(n), "pvalloc", n);
    errno = 0;
    check_enomem(T_LIBC_PVALLOC(n), "__libc_pvalloc", n);
    void *out = (void *)(uintptr_t)0x1234;
    int rc = T_POSIX_MEMALIGN(&out, 64, n);
    if (rc != ENOMEM || out != (void *)(uintptr_t)0x1234) {
      fprintf(stderr, "posix_memalign(64, %#zx) = %d, out %p: want ENOMEM, out untouched\n", n, rc,
              out);
      CHECK(0);
    }
    rc = T_LIBC_POSIX_MEMALIGN(&out, 2 * MIB, n);
    CHECK_EQ(rc, ENOMEM);
    CHECK(out == (void *)(uintptr_t)0x1234);
  }
  /* Alignments too large to honour with any size. */
  const size_t align_huge[] = {(size_t)1 << 62, (size_t)1 << 63};
  for (size_t i = 0; i < 2; i++) {
    size_t a = opaque(align_huge[i]);
    errno = 0;
    check_enomem(T_ALIGNED_ALLOC(a, 16), "aligned_alloc(huge alignment)", a);
    errno = 0;
    check_enomem(T_MEMALIGN(a, 16), "memalign(huge alignment)", a);
    void *out = (void *)(uintptr_t)0x5678;
    CHECK_EQ(T_POSIX_MEMALIGN(&out, a, 16), ENOMEM);
    CHECK(out == (void *)(uintptr_t)0x5678);
  }
  /* The blocks given to the failing reallocs are intact and still usable. */
  verify(old, 1000, 11);
  verify(old_large, 2 * MIB, 12);
  check_block(old, 1000);
  check_block(old_large, 2 * MIB);
  T_FREE(old);
  T_FREE(old_large);
}

/* calloc and reallocarray: count * size overflowing gives NULL + ENOMEM. */
static void overflow(void) {
  const size_t pairs[][2] = {
      {SIZE_MAX / 2 + 1, 2},
      {2, SIZE_MAX / 2 + 1},
      {(size_t)1 << 32, (size_t)1 << 32},
      {SIZE_MAX, SIZE_MAX},
      {SIZE_MAX, 2},
      {3, SIZE_MAX / 3 + 1},
      {65537, SIZE_MAX / 65536},
      /* No overflow, but the product is above PTRDIFF_MAX. */
      {(size_t)PTRDIFF_MAX / 2 + 1, 2},
      {2, (size_t)1 << 62},
  };
  unsigned char *old = T_MALLOC(300);
  fill(old, 300, 21);
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
    size_t a = opaque(pairs[i][0]), b = opaque(pairs[i][1]);
    errno = 0;
    check_enomem(T_CALLOC(a, b), "calloc overflow", a);
    errno = 0;
    check_enomem(T_LIBC_CALLOC(a, b), "__libc_calloc overflow", a);
    errno = 0;
    check_enomem(T_REALLOCARRAY(NULL, a, b), "reallocarray(NULL) overflow", a);
    errno = 0;
    check_enomem(T_REALLOCARRAY(old, a, b), "reallocarray(p) overflow", a);
  }
  verify(old, 300, 21);
  /* Near the edge but fine: reallocarray is realloc. */
  unsigned char *q = T_REALLOCARRAY(old, opaque(100), 6);
  check_block(q, 600);
  verify(q, 300, 21);
  unsigned char *z = T_CALLOC(opaque(1000), 3);
  check_block(z, 3000);
  check_zero(z, 3000);
  T_FREE(z);
  T_FREE(q);
}

/* Bad alignments: EINVAL, out-pointer untouched. memalign rounds a
 * non-power-of-two alignment up, as glibc does. */
static void bad_alignment(void) {
  const size_t bad[] = {0,
                        3,
                        5,
                        6,
                        7,
                        12,
                        24,
                        48,
                        100,
                        4097,
                        (1u << 20) + 16,
                        SIZE_MAX,
                        SIZE_MAX - 1,
                        ((size_t)1 << 63) + 8};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    size_t a = opaque(bad[i]);
    errno = 0;
    void *p = T_ALIGNED_ALLOC(a, 64);
    if (p != NULL || errno != EINVAL) {
      fprintf(stderr, "aligned_alloc(%#zx, 64) = %p errno %d: want NULL and EINVAL\n", a, p, errno);
      CHECK(0);
    }
    void *out = (void *)(uintptr_t)0xabcd;
    int rc = T_POSIX_MEMALIGN(&out, a, 64);
    if (rc != EINVAL || out != (void *)(uintptr_t)0xabcd) {
      fprintf(stderr, "posix_memalign(%#zx, 64) = %d out %p: want EINVAL, out untouched\n", a, rc,
              out);
      CHECK(0);
    }
    CHECK_EQ(T_LIBC_POSIX_MEMALIGN(&out, a, 64), EINVAL);
    CHECK(out == (void *)(uintptr_t)0xabcd);
  }
  /* posix_memalign: a power of two below sizeof(void *) is also EINVAL. */
  for (size_t a = 1; a < sizeof(void *); a *= 2) {
    void *out = (void *)(uintptr_t)0xabcd;
    CHECK_EQ(T_POSIX_MEMALIGN(&out, opaque(a), 64), EINVAL);
    CHECK(out == (void *)(uintptr_t)0xabcd);
  }
  /* memalign: 0 and non-powers of two are rounded up. */
  const size_t round[][2] = {{0, 16},    {3, 16},      {24, 32},     {48, 64},
                             {100, 128}, {3000, 4096}, {5000, 8192}, {(1u << 20) + 16, 2u << 20}};
  for (size_t i = 0; i < sizeof round / sizeof round[0]; i++) {
    size_t a = opaque(round[i][0]);
    void *p = T_MEMALIGN(a, 200);
    check_block(p, 200);
    if ((uintptr_t)p % round[i][1]) {
      fprintf(stderr, "memalign(%zu, 200) = %p: not %zu-aligned\n", a, p, round[i][1]);
      CHECK(0);
    }
    T_FREE(p);
    p = T_LIBC_MEMALIGN(a, 40);
    check_block(p, 40);
    CHECK_EQ((uintptr_t)p % round[i][1], 0);
    T_FREE(p);
  }
  /* memalign: an alignment that cannot be rounded up is EINVAL. */
  const size_t impossible[] = {SIZE_MAX, ((size_t)1 << 63) + 1};
  for (size_t i = 0; i < 2; i++) {
    errno = 0;
    void *p = T_MEMALIGN(opaque(impossible[i]), 16);
    if (p != NULL || errno != EINVAL) {
      fprintf(stderr, "memalign(%#zx, 16) = %p errno %d: want NULL and EINVAL\n", impossible[i], p,
              errno);
      CHECK(0);
    }
  }
}

/* Every power-of-two alignment from 1 to 4 MiB, for sizes 0..100 KiB (sampled),
 * through aligned_alloc, memalign and posix_memalign. The blocks of one
 * alignment are live at once, each with its own pattern, so overlaps show. */
static void alignments(void) {
  static const size_t sizes[] = {0,    1,    8,     15,    16,    17,    63,    64,    100,
                                 255,  512,  1000,  1023,  1024,  1025,  2048,  4095,  4096,
                                 4097, 8191, 10000, 16384, 32767, 32768, 32769, 65536, 100000};
  enum { N = sizeof sizes / sizeof sizes[0] };
  void *blocks[N];
  unsigned seed = 1000;
  for (int fn = 0; fn < 3; fn++) {
    for (size_t a = 1; a <= 4 * MIB; a *= 2) {
      if (fn >= 2 && a < sizeof(void *))
        continue; /* posix_memalign: EINVAL, checked above */
      for (size_t i = 0; i < N; i++) {
        size_t n = sizes[i];
        void *p = NULL;
        const char *name = "";
        switch (fn) {
        case 0:
          name = "aligned_alloc";
          p = T_ALIGNED_ALLOC(a, n);
          break;
        case 1:
          name = "memalign";
          p = (i % 2) ? T_MEMALIGN(a, n) : T_LIBC_MEMALIGN(a, n);
          break;
        default: {
          name = "posix_memalign";
          int rc = (i % 2) ? T_POSIX_MEMALIGN(&p, a, n) : T_LIBC_POSIX_MEMALIGN(&p, a, n);
          if (rc != 0) {
            fprintf(stderr, "posix_memalign(%zu, %zu) = %d\n", a, n, rc);
            CHECK(0);
          }
        }
        }
        if (p == NULL)
          fprintf(stderr, "%s(%zu, %zu) returned NULL (errno %d)\n", name, a, n, errno);
        check_block(p, n);
        if ((uintptr_t)p % a) {
          fprintf(stderr, "%s(%zu, %zu) = %p: misaligned\n", name, a, n, p);
          CHECK(0);
        }
        fill(p, n, seed + (unsigned)i);
        blocks[i] = p;
      }
      for (size_t i = 0; i < N; i++) {
        size_t n = sizes[i];
        verify(blocks[i], n, seed + (unsigned)i);
        if (i % 3 == 0) {
          /* realloc of an aligned block keeps its data. */
          size_t m = n + 3000;
          void *q = T_REALLOC(blocks[i], m);
          if (q == NULL)
            fprintf(stderr, "realloc of a %zu-aligned block of %zu to %zu: NULL (errno %d)\n", a, n,
                    m, errno);
          check_block(q, m);
          verify(q, n, seed + (unsigned)i);
          free_by(FREE_PLAIN, q, 16, m);
        } else if (fn == 0 && i % 3 == 1) {
          free_by(FREE_ALIGNED_SIZED, blocks[i], a, n);
        } else {
          free_by(i % 2 ? FREE_LIBC : FREE_CFREE, blocks[i], a, n);
        }
      }
      seed += N;
    }
  }
}

/* valloc: page aligned; pvalloc: page aligned, size rounded up to a page. */
static void page_allocs(void) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  const size_t sizes[] = {0, 1, 100, 4095, 4096, 4097, 10000, 32768, 40000, 1 * MIB + 1};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    size_t n = sizes[i];
    void *v = T_VALLOC(n);
    check_block(v, n);
    CHECK_EQ((uintptr_t)v % page, 0);
    fill(v, n, 31);
    void *pv = T_PVALLOC(n);
    size_t rounded = (n + page - 1) / page * page;
    check_block(pv, rounded);
    CHECK_EQ((uintptr_t)pv % page, 0);
    fill(pv, rounded, 32);
    void *lv = T_LIBC_VALLOC(n);
    check_block(lv, n);
    CHECK_EQ((uintptr_t)lv % page, 0);
    void *lp = T_LIBC_PVALLOC(n);
    check_block(lp, rounded);
    CHECK_EQ((uintptr_t)lp % page, 0);
    verify(v, n, 31);
    verify(pv, rounded, 32);
    T_FREE(v);
    T_FREE(pv);
    T_FREE(lv);
    T_FREE(lp);
  }
}

/* calloc's memory is zero even when recycled from dirty freed blocks, in every
 * size range and through every calloc entry point. */
static void calloc_recycled(void) {
  static const size_t sizes[] = {1,    16,    24,    100,   256,   1000,   1024,   1025,
                                 4000, 16384, 32768, 32769, 40000, 200000, 3 * MIB};
  enum { K = 48 };
  void *blocks[K];
  for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
    size_t n = sizes[si];
    int k = n > 32 * KIB ? 3 : K;
    int rounds = n > 32 * KIB ? 12 : 40;
    for (int round = 0; round < rounds; round++) {
      for (int i = 0; i < k; i++) {
        /* Dirty blocks of this size from several entry points. */
        void *p = (i % 4 == 3) ? T_ALIGNED_ALLOC(64, n) : T_MALLOC(n);
        check_block(p, n);
        size_t usable = T_USABLE_SIZE(p);
        memset(p, 0xA5, usable < 2 * n + 4096 ? usable : 2 * n + 4096);
        blocks[i] = p;
      }
      for (int i = 0; i < k; i++)
        T_FREE(blocks[i]);
      for (int i = 0; i < k; i++) {
        void *p;
        switch ((i + round) % 3) {
        case 0:
          p = T_CALLOC(1, n);
          break;
        case 1:
          p = T_CALLOC(n, 1);
          break;
        default:
          p = T_LIBC_CALLOC(1, n);
        }
        check_block(p, n);
        check_zero(p, n);
        memset(p, 0x5A, n);
        blocks[i] = p;
      }
      for (int i = 0; i < k; i++)
        T_FREE(blocks[i]);
    }
  }
  /* Blocks given back by realloc (moved or shrunk) are dirty too. */
  for (int round = 0; round < 200; round++) {
    size_t n = 64 + (size_t)(round % 50) * 48;
    void *p = T_MALLOC(n);
    memset(p, 0xC3, n);
    p = T_REALLOC(p, n * 3);
    CHECK(p != NULL);
    memset(p, 0xC3, n * 3);
    T_FREE(p);
    void *z = T_CALLOC(3, n);
    check_block(z, 3 * n);
    check_zero(z, 3 * n);
    void *y = T_CALLOC(1, n);
    check_block(y, n);
    check_zero(y, n);
    T_FREE(z);
    T_FREE(y);
  }
}

static int cmp_ptr(const void *a, const void *b) {
  uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
  return x < y ? -1 : x > y;
}

/* malloc(0) and friends: non-NULL, aligned, each one different. */
static void zero_size_unique(void) {
  enum { N = 3000 };
  static void *ptrs[N];
  for (int i = 0; i < N; i++) {
    switch (i % 6) {
    case 0:
      ptrs[i] = T_MALLOC(opaque(0));
      break;
    case 1:
      ptrs[i] = T_CALLOC(opaque(0), 1);
      break;
    case 2:
      ptrs[i] = T_CALLOC(1, opaque(0));
      break;
    case 3:
      ptrs[i] = T_REALLOC(NULL, opaque(0));
      break;
    case 4:
      ptrs[i] = T_ALIGNED_ALLOC(64, opaque(0));
      break;
    default:
      ptrs[i] = T_LIBC_MALLOC(opaque(0));
    }
    check_block(ptrs[i], 0);
  }
  qsort(ptrs, N, sizeof ptrs[0], cmp_ptr);
  for (int i = 1; i < N; i++) {
    if (ptrs[i] == ptrs[i - 1]) {
      fprintf(stderr, "zero-size allocations share the pointer %p\n", ptrs[i]);
      CHECK(0);
    }
  }
  for (int i = 0; i < N; i++)
    T_FREE(ptrs[i]);
}

/* Every size 0..70,000 through malloc: 16-byte aligned, usable >= n, distinct
 * blocks (each keeps its own pattern while the others are live). */
static void malloc_sizes(void) {
  enum { N = 3000 };
  static void *ptrs[N];
  static size_t lens[N];
  size_t count = 0;
  for (size_t n = 0; n < 70000 && count < N; n += (n < 2100 ? 1 : 89)) {
    void *p = T_MALLOC(n);
    check_block(p, n);
    fill(p, n, (unsigned)n);
    ptrs[count] = p;
    lens[count++] = n;
  }
  for (size_t i = 0; i < count; i++) {
    verify(ptrs[i], lens[i], (unsigned)lens[i]);
    free_by(i % 2 ? FREE_SIZED : FREE_PLAIN, ptrs[i], 16, lens[i]);
  }
}

/* malloc_trim and mallinfo2 work through the API names. mallinfo2 as glibc's:
 * blocks from mappings of their own (large) count in hblks/hblkhd, the others
 * in uordblks. */
static void trim_and_info(void) {
  struct mallinfo2 m0 = T_MALLINFO2();
  void *big = T_MALLOC(8 * MIB);
  check_block(big, 8 * MIB);
  fill(big, 8 * MIB, 3);
  struct mallinfo2 m1 = T_MALLINFO2();
  if (m1.hblkhd < m0.hblkhd + 8 * MIB || m1.hblks != m0.hblks + 1) {
    fprintf(stderr, "mallinfo2 with an 8 MiB block: hblkhd %zu -> %zu, hblks %zu -> %zu\n",
            m0.hblkhd, m1.hblkhd, m0.hblks, m1.hblks);
    CHECK(0);
  }
  enum { SMALL = 20000 };
  static void *small[SMALL];
  for (int i = 0; i < SMALL; i++) {
    small[i] = T_MALLOC(1000);
    check_block(small[i], 1000);
  }
  struct mallinfo2 m2 = T_MALLINFO2();
  /* Blocks in the thread cache count as in use; allow for them all the same. */
  if (m2.uordblks < m1.uordblks + SMALL * 1000 - 1 * MIB) {
    fprintf(stderr, "mallinfo2 with %d more 1000-byte blocks: uordblks %zu -> %zu\n", SMALL,
            m1.uordblks, m2.uordblks);
    CHECK(0);
  }
  CHECK(m2.arena >= m2.uordblks);
  for (int i = 0; i < SMALL; i++)
    T_FREE(small[i]);
  verify(big, 8 * MIB, 3);
  T_FREE(big);
  int r = T_MALLOC_TRIM(0);
  CHECK(r == 0 || r == 1);
  /* Allocation works after a trim. */
  for (size_t n = 1; n < 200000; n = n * 3 + 1) {
    void *p = T_MALLOC(n);
    check_block(p, n);
    fill(p, n, 8);
    verify(p, n, 8);
    T_FREE(p);
  }
}

int main(void) {
  fprintf(stderr, "conformance through the %s names\n", T_API_NAME);
  zero_size_unique();
  malloc_sizes();
  every_entry_point();
  realloc_edges();
  realloc_preserves_data();
  too_large();
  overflow();
  bad_alignment();
  alignments();
  page_allocs();
  calloc_recycled();
  trim_and_info();
  fprintf(stderr, "conformance: all checks passed\n");
  return 0;
}
