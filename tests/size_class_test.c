/* Size classes: every request maps to the smallest class that holds it, all
 * strides keep 16-byte alignment, and the average waste over uniform requests
 * 1..1024 stays under 25 %. */
#include <stdio.h>

#include "hakmem/core/size_class.h"
#include "tests/check.h"

static unsigned smallest_fit(size_t n) {
  for (unsigned c = 0; c < HK_NUM_CLASSES; c++)
    if (hk_class_usable(c) >= n)
      return c;
  return HK_NUM_CLASSES;
}

static int is_class_tag(unsigned b) { return hk_tag_class_of(b) < HK_SLAB_CLASSES; }

/* Tags: one per slab class, both ways round; with the header on, 0x00, 0xFF,
 * the span tag and any tag with one bit flipped are no class's tag, and no
 * tag has the hardened build's free bit. */
static void check_tags(void) {
  unsigned classes = 0;
  for (unsigned b = 0; b < HK_NUM_TAGS; b++)
    if (is_class_tag(b)) {
      classes++;
      CHECK_EQ(hk_class_tag(hk_tag_class_of(b)), b);
    }
  CHECK_EQ(classes, HK_SLAB_CLASSES);
  CHECK(!is_class_tag(HK_TAG_SPAN));
#if HK_HDR
  CHECK(!is_class_tag(0x00) && !is_class_tag(0xFF));
  for (unsigned i = 0; i <= HK_SLAB_CLASSES; i++) {
    unsigned t = i < HK_SLAB_CLASSES ? hk_class_tag(i) : HK_TAG_SPAN;
    /* Freed, a class's tag gains the free bit; a span's loses it. */
    unsigned freed = i < HK_SLAB_CLASSES ? hk_freed_tag(t) : t & ~HK_TAG_FREED_BIT;
    CHECK(i == HK_SLAB_CLASSES || (t & HK_TAG_FREED_BIT) == 0);
    CHECK(!is_class_tag(freed) && freed != HK_TAG_SPAN);
    for (unsigned bit = 0; bit < 8; bit++) {
      unsigned flipped = t ^ (1u << bit);
      CHECK(!is_class_tag(flipped) && flipped != HK_TAG_SPAN);
    }
  }
#endif
}

/* hk_class_block_index: the index at every block start, and beyond any
 * capacity at every other multiple of 16 (negative offsets included). */
static void check_block_index(void) {
  for (unsigned c = 0; c < HK_SLAB_CLASSES; c++) {
    int64_t stride = hk_class_stride[c], end = (int64_t)hk_class_capacity(c) * stride;
    for (int64_t off = -1024; off < end + 2 * stride; off += off % 16 ? 15 : 1) {
      uint64_t got = hk_class_block_index(c, (uint64_t)off);
      if (off >= 0 && off % stride == 0)
        CHECK_EQ(got, (uint64_t)(off / stride));
      else
        CHECK(got > HK_UNITS_PER_SS * HK_UNIT_SIZE / 16);
    }
  }
}

int main(void) {
  for (unsigned c = 0; c < HK_NUM_CLASSES; c++) {
    CHECK_EQ(hk_class_stride[c] % 16, 0);
    if (c > 0)
      CHECK(hk_class_stride[c] > hk_class_stride[c - 1]);
    CHECK(hk_class_capacity(c) >= 8);
    CHECK(hk_class_units(c) >= 1 && hk_class_units(c) < HK_UNITS_PER_SS);
  }
  /* Aligned classes: powers of two, every block aligned to its stride. */
  for (unsigned c = HK_NUM_CLASSES; c < HK_SLAB_CLASSES; c++) {
    CHECK_EQ(hk_class_stride[c] & (hk_class_stride[c] - 1), 0);
    CHECK_EQ(hk_class_align(c), hk_class_stride[c]);
    CHECK(hk_class_capacity(c) >= 8);
    CHECK(hk_class_units(c) >= 1 && hk_class_units(c) < HK_UNITS_PER_SS);
  }
  for (unsigned c = 0; c < HK_NUM_CLASSES; c++)
    CHECK(hk_class_align(c) >= HK_ALIGN);
  CHECK(HK_TINY_CLASSES < HK_NUM_CLASSES);
  CHECK(HK_SLAB_CLASSES < HK_TAG_SPAN);
  check_tags();
  check_block_index();
  CHECK_EQ(hk_class_usable(HK_NUM_CLASSES - 1), HK_SMALL_MAX);
  /* Every tiny request to a tiny class, and no request of the table bigger. */
  for (size_t n = 0; n <= HK_SMALL_MAX; n++) {
    unsigned want = smallest_fit(n);
    unsigned got = hk_size_class(n);
    if (got != want) {
      fprintf(stderr, "size %zu: class %u, expected %u\n", n, got, want);
      CHECK(got == want);
    }
    if (n <= HK_TINY_MAX)
      CHECK(got < HK_TINY_CLASSES);
    if (HK_HDR && n <= HK_TABLE_MAX) /* the tag sized frees check the header against */
      CHECK_EQ(hk_tiny_tag(n), hk_class_tag(hk_tiny_class(n)));
  }
  /* Waste: stride (the memory a block takes) minus the request. */
  double waste = 0;
  for (size_t n = 1; n <= 1024; n++)
    waste += (double)(hk_class_stride[hk_size_class(n)] - n) / (double)n;
  waste /= 1024;
  printf("average waste over uniform requests 1..1024: %.1f%% (header %s)\n", waste * 100,
         HK_HDR ? "on" : "off");
  CHECK(waste < 0.25);
  return 0;
}
