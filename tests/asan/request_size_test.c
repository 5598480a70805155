/* What the program may touch is its request. Under ASan: malloc_usable_size
 * returns the request exactly (as ASan's own allocator does), every requested
 * byte is addressable (a poisoned one would stop the test with a report), and
 * realloc copies the old request, not the slot. Elsewhere: usable >= request. */
#include <stdint.h>
#include <string.h>

#include "hakmem/hakmem.h"
#include "tests/check.h"

static void check_block(unsigned char *p, size_t n, size_t align) {
  CHECK(p != NULL);
  CHECK_EQ((uintptr_t)p % align, 0);
  size_t usable = hak_usable_size(p);
  if (ASAN_CONFIG)
    CHECK_EQ(usable, n);
  else
    CHECK(usable >= n);
  memset(p, 0xAB, n);
}

static void check_fill(const unsigned char *p, size_t n, unsigned char fill) {
  for (size_t i = 0; i < n; i++)
    CHECK_EQ(p[i], fill);
}

/* Sizes from each range: tiny, the last tiny, mid, span (to its maximum), large. */
static const size_t sizes[] = {
    0, 1, 7, 8, 15, 20, 100, 1023, 1039, 3000, 65599, 100000, 524288, 1048512, 3145733,
};
#define NSIZES (sizeof sizes / sizeof sizes[0])

int main(void) {
  for (size_t i = 0; i < NSIZES; i++) {
    unsigned char *p = hak_malloc(sizes[i]);
    check_block(p, sizes[i], 16);
    hak_free(p);
    p = hak_calloc(sizes[i], 1);
    check_block(p, sizes[i], 16);
    hak_free(p);
  }
  static const size_t aligns[] = {32, 64, 256, 4096, 1 << 20};
  static const size_t aligned_sizes[] = {1, 100, 5000};
  for (size_t a = 0; a < sizeof aligns / sizeof aligns[0]; a++)
    for (size_t i = 0; i < sizeof aligned_sizes / sizeof aligned_sizes[0]; i++) {
      unsigned char *p = hak_aligned_alloc(aligns[a], aligned_sizes[i]);
      check_block(p, aligned_sizes[i], aligns[a]);
      hak_free(p);
    }

  /* realloc within the slot (31 bytes): a grown prefix becomes addressable,
   * a shrunk tail poisoned again (tests/asan/overflow_realloc). */
  unsigned char *p = hak_malloc(20);
  memset(p, 1, 20);
  unsigned char *q = hak_realloc(p, 30);
  CHECK(q == p);
  check_fill(q, 20, 1);
  check_block(q, 30, 16);
  q = hak_realloc(q, 16);
  CHECK(q == p);
  check_block(q, 16, 16);
  /* Moving: only the old request (16 bytes) may be read; the copy of the slot
   * would be a report under ASan. */
  q = hak_realloc(q, 200);
  CHECK(q != p);
  check_fill(q, 16, 0xAB);
  check_block(q, 200, 16);
  hak_free(q);

  /* Large blocks through mremap, growing and shrinking. */
  p = hak_malloc((size_t)3 << 20);
  check_block(p, (size_t)3 << 20, 16);
  p = hak_realloc(p, ((size_t)5 << 20) + 3);
  check_fill(p, (size_t)3 << 20, 0xAB);
  check_block(p, ((size_t)5 << 20) + 3, 16);
  p = hak_realloc(p, (size_t)2 << 20);
  check_block(p, (size_t)2 << 20, 16);
  p = hak_realloc(p, ((size_t)2 << 20) + 100); /* the same mapping */
  check_block(p, ((size_t)2 << 20) + 100, 16);
  hak_free(p);
  printf("ok: usable size is the request%s\n", ASAN_CONFIG ? " (ASan)" : " or more");
  return 0;
}
