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
