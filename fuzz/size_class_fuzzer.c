/* size_class: any request size and alignment against the size classes and
 * the blocks the API hands out for them.
 *
 * Input: nine-byte records: a size (eight bytes, little-endian; the top byte
 * also picks how far the size reaches) and an alignment exponent. Checks: the
 * class of a size is the smallest that fits it (tight rounding), the tiny
 * table and the mid formula agree with hk_size_class, classes are monotonic
 * in the size and their strides 16-byte multiples; a block's usable size is
 * at least the request, its class's (or its span's), and monotonic in the
 * request; the class header round-trips; an impossible size gives NULL with
 * ENOMEM. */
#include <errno.h>

#include "fuzz/fuzz_common.h"

/* The usable size a request gets, from the geometry alone; 0 if not small. */
static size_t expected_usable(size_t n) {
  if (n <= HK_SMALL_MAX)
    return hk_class_usable(hk_size_class(n));
  if (n <= HK_SPAN_MAX) {
    size_t pages = (n + HK_SPAN_OFFSET + HK_PAGE_SIZE - 1) / HK_PAGE_SIZE;
    return pages * HK_PAGE_SIZE - HK_SPAN_OFFSET;
  }
  return 0;
}

static void check_class(size_t n) {
  if (n > HK_SMALL_MAX)
    return;
  unsigned c = hk_size_class(n);
  HKF_CHECK(c < HK_NUM_CLASSES, "size class out of range", NULL, n);
  HKF_CHECK(hk_class_usable(c) >= n, "class smaller than the request", NULL, n);
  HKF_CHECK(c == 0 || hk_class_usable(c - 1) < n, "class not the smallest that fits", NULL, n);
  HKF_CHECK(hk_class_stride[c] % HK_ALIGN == 0, "stride not a multiple of 16", NULL, c);
  HKF_CHECK(c == 0 || hk_class_stride[c - 1] < hk_class_stride[c], "strides not increasing", NULL,
            c);
  if (n <= HK_TABLE_MAX)
    HKF_CHECK(hk_tiny_class(n) == c, "tiny table disagrees", NULL, n);
  else
    HKF_CHECK(hk_mid_class(n) == c, "mid formula disagrees", NULL, n);
  if (n < HK_SMALL_MAX) {
    unsigned d = hk_size_class(n + 1);
    HKF_CHECK(d == c || d == c + 1, "classes not monotonic in the size", NULL, n);
  }
  size_t span = (size_t)hk_class_units(c) * HK_UNIT_SIZE;
  HKF_CHECK(hk_class_capacity(c) >= 8 &&
                hk_class_first_offset(c) + (size_t)hk_class_capacity(c) * hk_class_stride[c] <=
                    span,
            "slab geometry: fewer than 8 blocks, or blocks past the slab", NULL, c);
}

/* Allocates n at align and checks the block; returns its usable size. */
static size_t check_block(size_t n, size_t align) {
  void *p = align <= HK_ALIGN ? hak_malloc(n) : hak_aligned_alloc(align, n);
  size_t usable = hkf_check_block(p, n, align, hkf_made_class(n, align));
  size_t want = expected_usable(n);
  if (align <= HK_ALIGN && want && !HK_ASAN)
    HKF_CHECK(usable == want, "usable size is not what the geometry gives", p, n);
  if (n)
    ((volatile unsigned char *)p)[n - 1] = 1; /* the last byte is ours */
  hak_free(p);
  return usable;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  hak_build_info_t info;
  hak_build_info(&info);
  HKF_CHECK(info.header_classidx == HK_HDR && info.tiny_max == HK_TINY_MAX &&
                info.small_max == HK_SMALL_MAX && info.num_classes == HK_NUM_CLASSES,
            "hak_build_info disagrees with the build", NULL, 0);
  hkf_in_t in = {data, data + size};
  while (hkf_more(&in)) {
    uint64_t raw = 0;
    for (int i = 0; i < 8; i++)
      raw |= (uint64_t)hkf_u8(&in) << (8 * i);
    unsigned align_lg = hkf_u8(&in) % 24;
    size_t align = (size_t)1 << align_lg;
    /* The top byte picks the reach: mostly small, sometimes large, rarely any. */
    unsigned reach = (unsigned)(raw >> 56);
    size_t n = reach < 160   ? (size_t)(raw % (HK_SMALL_MAX + 2))
               : reach < 224 ? (size_t)(raw % (HKF_MAX_REQUEST + 1))
               : reach < 240 ? hkf_edges[raw % HKF_EDGES] + (raw >> 8) % 3 - 1
                             : (size_t)raw;
    check_class(n);
    if (n > (size_t)PTRDIFF_MAX) {
      errno = 0;
      HKF_CHECK(!hak_malloc(n) && errno == ENOMEM, "an impossible size did not fail with ENOMEM",
                NULL, n);
      continue;
    }
    if (n > 4 * HKF_MAX_REQUEST)
      continue; /* possible, but too big to map for every input */
    size_t u0 = check_block(n, HK_ALIGN);
    if (!HK_ASAN && n < HKF_MAX_REQUEST)
      HKF_CHECK(check_block(n + 1, HK_ALIGN) >= u0, "usable size not monotonic in the request",
                NULL, n);
    if (align > HK_ALIGN)
      check_block(n, align);
  }
  return 0;
}
