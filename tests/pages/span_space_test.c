/* 2,000 x posix_memalign(64, 100000) add at most 240 MiB of address space (glibc
 * 191, mimalloc 224; 266 when a span was a run of 64 KiB units). Aligned spans
 * still have their alignment. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hakmem/hakmem.h"
#include "tests/check.h"
#include "tests/statm.h"

#define MIB   ((size_t)1 << 20)
#define COUNT 2000

static void *blocks[COUNT];

int main(void) {
  hak_free(hak_malloc(100000)); /* initialisation's own mappings come first */
  size_t before = (size_t)vm_bytes();
  for (int i = 0; i < COUNT; i++) {
    CHECK(hak_posix_memalign(&blocks[i], 64, 100000) == 0);
    CHECK((uintptr_t)blocks[i] % 64 == 0);
    memset(blocks[i], i & 0xff, 100000);
  }
  size_t added = (size_t)vm_bytes() - before;
  printf("2000 x posix_memalign(64, 100000): %zu MiB of address space\n", added / MIB);
  CHECK(added <= 240 * MIB);
  for (int i = 0; i < COUNT; i++) {
    CHECK(((unsigned char *)blocks[i])[99999] == (i & 0xff));
    hak_free(blocks[i]);
  }
  /* Every alignment a span serves, at sizes a span holds. */
  const size_t sizes[] = {65600, 100000, 300000, 1000000};
  for (size_t a = 128; a <= 65536; a *= 2)
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
      void *p[3];
      for (int k = 0; k < 3; k++) {
        CHECK(hak_posix_memalign(&p[k], a, sizes[i]) == 0);
        CHECK((uintptr_t)p[k] % a == 0);
        CHECK(hak_usable_size(p[k]) >= sizes[i]);
        memset(p[k], k + 1, sizes[i]);
      }
      for (int k = 0; k < 3; k++) {
        CHECK(((unsigned char *)p[k])[0] == k + 1);
        CHECK(((unsigned char *)p[k])[sizes[i] - 1] == k + 1);
        hak_free(p[k]);
      }
    }
  puts("span_space_test: ok");
  return 0;
}
