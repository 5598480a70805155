/* The hak_* API: every size from 0 to past the classes, alignment, usable size,
 * data kept across realloc, calloc zeroing of recycled memory, aligned
 * allocation, ownership, and errno on failures. */
#include <errno.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hakmem/hakmem.h"
#include "tests/check.h"

static void fill(unsigned char *p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i++)
    p[i] = (unsigned char)(seed + i * 7);
}

static void verify(const unsigned char *p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i++)
    CHECK_EQ(p[i], (unsigned char)(seed + i * 7));
}

static void sizes(void) {
  static void *blocks[5000];
  size_t n_sizes = 0;
  for (size_t n = 0; n < 70000; n += (n < 2100 ? 1 : 97)) {
    unsigned char *p = hak_malloc(n);
    CHECK(p != NULL);
    CHECK_EQ((uintptr_t)p % alignof(max_align_t), 0);
    CHECK(hak_owns(p));
    CHECK(hak_usable_size(p) >= n);
    fill(p, n, (unsigned)n);
    blocks[n_sizes++] = p;
  }
  size_t i = 0;
  for (size_t n = 0; n < 70000; n += (n < 2100 ? 1 : 97), i++) {
    verify(blocks[i], n, (unsigned)n);
    hak_free(blocks[i]);
  }
}

static void big(void) {
  size_t n = (size_t)64 << 20;
  unsigned char *p = hak_malloc(n);
  CHECK(p != NULL);
  CHECK(hak_usable_size(p) >= n);
  p[0] = 1;
  p[n - 1] = 2;
  hak_free(p);
  errno = 0;
  CHECK(hak_malloc(SIZE_MAX) == NULL);
  CHECK_EQ(errno, ENOMEM);
  errno = 0;
  CHECK(hak_malloc((size_t)PTRDIFF_MAX + 1) == NULL);
  CHECK_EQ(errno, ENOMEM);
}

static void realloc_keeps_data(void) {
  unsigned char *p = hak_realloc(NULL, 10);
  CHECK(p != NULL);
  fill(p, 10, 3);
  size_t n = 10;
  /* Grow through tiny, mid and large, then shrink back. */
  for (size_t m = 17; m < (size_t)3 << 20; m = m * 3 + 1) {
    p = hak_realloc(p, m);
    CHECK(p != NULL);
    verify(p, n, 3);
    fill(p, m, 3);
    n = m;
  }
  for (size_t m = n / 3; m > 4; m /= 3) {
    p = hak_realloc(p, m);
    CHECK(p != NULL);
    verify(p, m, 3);
  }
  CHECK(hak_realloc(p, 0) == NULL); /* frees, as glibc does */
}

static void calloc_zeroes(void) {
  for (size_t n = 1; n <= 40000; n = n * 2 + 3) {
    unsigned char *p = hak_malloc(n);
    memset(p, 0xAB, n);
    hak_free(p);
    unsigned char *q = hak_calloc(1, n); /* likely the same block again */
    for (size_t i = 0; i < n; i++)
      CHECK_EQ(q[i], 0);
    hak_free(q);
  }
  errno = 0;
  CHECK(hak_calloc(SIZE_MAX / 2, 3) == NULL);
  CHECK_EQ(errno, ENOMEM);
}

static void aligned(void) {
  for (size_t a = 1; a <= ((size_t)4 << 20); a *= 2) {
    for (size_t n = 1; n < 5000; n = n * 5 + 1) {
      unsigned char *p = hak_aligned_alloc(a, n);
      CHECK(p != NULL);
      CHECK_EQ((uintptr_t)p % a, 0);
      CHECK_EQ((uintptr_t)p % 16, 0);
      CHECK(hak_usable_size(p) >= n);
      fill(p, n, 9);
      p = hak_realloc(p, n + 100);
      verify(p, n, 9);
      hak_free(p);
    }
  }
  errno = 0;
  CHECK(hak_aligned_alloc(24, 10) == NULL);
  CHECK_EQ(errno, EINVAL);
  errno = 0;
  CHECK(hak_aligned_alloc(0, 10) == NULL);
  CHECK_EQ(errno, EINVAL);
}

static void ownership_and_errno(void) {
  int on_stack = 0;
  CHECK(!hak_owns(&on_stack));
  CHECK(!hak_owns(NULL));
  void *libc = malloc(16);
  CHECK(!hak_owns(libc));
  free(libc);
  errno = 1234;
  hak_free(NULL);
  void *p = hak_malloc(100);
  hak_free(p);
  void *q = hak_malloc(100000);
  hak_free(q);
  CHECK_EQ(errno, 1234); /* free keeps errno */
  CHECK_EQ(hak_usable_size(NULL), 0);
}

static void reuse(void) {
  /* LIFO cache: the block freed last comes back first. */
  void *a = hak_malloc(48);
  hak_free(a);
  void *b = hak_malloc(48);
  CHECK(a == b);
  hak_free(b);
}

int main(void) {
  hak_build_info_t info;
  hak_build_info(&info);
  CHECK(info.tiny_max == 1024);
  sizes();
  big();
  realloc_keeps_data();
  calloc_zeroes();
  aligned();
  ownership_and_errno();
  reuse();
  return 0;
}
