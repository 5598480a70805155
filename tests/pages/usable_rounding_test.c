/* Spans and large blocks waste at most an eighth of the request plus a page: a span
 * is a run of pages, not of 64 KiB units, and a large mapping whole pages, not 2 MiB
 * chunks (before: 100000 B had 131008 usable, 1 MiB 2 MiB). Also for blocks the
 * large cache serves from a mapping of another size. */
#include <stdio.h>
#include <stdlib.h>

#include "hakmem/hakmem.h"
#include "tests/check.h"

#define KIB ((size_t)1 << 10)
#define MIB ((size_t)1 << 20)

static void check_usable(size_t size, const char *when) {
  char *p = hak_malloc(size);
  CHECK(p != NULL);
  size_t usable = hak_usable_size(p);
  if (usable < size || usable > size + size / 8 + 4 * KIB) {
    fprintf(stderr, "%s: %zu bytes: %zu usable\n", when, size, usable);
    abort();
  }
  p[0] = 1;
  p[size - 1] = 2;
  hak_free(p);
}

int main(void) {
  const size_t sizes[] = {65536,   65600,       70000,       100000,  131072,
                          200000,  500000,      MIB - 64,    MIB,     MIB + 1,
                          1500000, 2 * MIB - 1, 2 * MIB + 1, 5 * MIB, 5 * MIB + 4097};
  const size_t n = sizeof sizes / sizeof sizes[0];
  for (size_t i = 0; i < n; i++)
    check_usable(sizes[i], "fresh");
  /* Reuse: every size after every other, so freed spans and cached mappings of
   * other sizes serve them. */
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) {
      void *keep = hak_malloc(sizes[i]);
      CHECK(keep != NULL);
      check_usable(sizes[j], "after another size");
      hak_free(keep);
      check_usable(sizes[j], "after a free");
    }
  puts("usable_rounding_test: ok");
  return 0;
}
