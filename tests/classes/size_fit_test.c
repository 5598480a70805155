/* Size classes fit common requests: without the header byte (HK_HDR 0) a
 * request of a power of two, or of 1.5 times one, from 16 B to 64 KiB, gets a
 * slot of exactly its size: usable size and slot stride both equal the
 * request. With the header on, the byte before each block is the last byte of
 * the slot below, so such a request takes the next class up (usable = stride -
 * 1 > request): checked too, as the figure the README's table reports. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/slot_stride.h"
#include "hakmem/core/config.h"
#include "hakmem/hakmem.h"
#include "tests/check.h"

int main(void) {
  for (size_t pow2 = 16; pow2 <= 65536; pow2 *= 2) {
    /* 1.5 x 16 = 24 is no class (it takes 32); 1.5 x 64 KiB is a span. */
    size_t sizes[2] = {pow2, pow2 / 2 * 3};
    for (int k = 0; k < (pow2 > 16 && pow2 < 65536 ? 2 : 1); k++) {
      size_t n = sizes[k];
      void *p = hak_malloc(n);
      CHECK(p != NULL);
      size_t usable = hak_usable_size(p);
      hak_free(p);
      size_t stride = slot_stride(hak_malloc, hak_free, n);
      CHECK(stride != 0);
      printf("request %6zu: usable %6zu, stride %6zu\n", n, usable, stride);
#if HK_HDR
      CHECK(stride > n);
      CHECK(HK_ASAN ? usable == n : usable == stride - 1);
#else
      CHECK_EQ(usable, n);
      CHECK_EQ(stride, n);
#endif
    }
  }
  return 0;
}
