/* realloc across the edges of the mid classes, spans and large blocks keeps the
 * contents, growing and shrinking, and the usable size covers the request. */
#include <stdint.h>
#include <stdio.h>

#include "hakmem/hakmem.h"
#include "tests/check.h"

#define KIB ((size_t)1 << 10)
#define MIB ((size_t)1 << 20)

static unsigned char pattern(size_t i) { return (unsigned char)(i * 131 + (i >> 12)); }

int main(void) {
  const size_t sizes[] = {60000,       65599,    65600,         65601,       100000,  4 * KIB * 17,
                          MIB - 4096,  MIB - 64, MIB - 63,      MIB,         MIB + 1, MIB + 4096,
                          2 * MIB - 1, 2 * MIB,  2 * MIB + 1,   3 * MIB + 5, 5 * MIB, 200000,
                          MIB + 100,   70000,    2 * MIB + 4097};
  const size_t n = sizeof sizes / sizeof sizes[0];
  for (size_t start = 0; start < n; start++) {
    size_t have = sizes[start];
    unsigned char *p = hak_malloc(have);
    CHECK(p != NULL);
    for (size_t i = 0; i < have; i++)
      p[i] = pattern(i);
    for (size_t k = 1; k < n; k++) {
      size_t size = sizes[(start + k * 7) % n];
      p = hak_realloc(p, size);
      CHECK(p != NULL);
      CHECK(hak_usable_size(p) >= size);
      size_t kept = have < size ? have : size;
      for (size_t i = 0; i < kept; i += 61)
        CHECK(p[i] == pattern(i));
      CHECK(p[kept - 1] == pattern(kept - 1));
      for (size_t i = kept; i < size; i++)
        p[i] = pattern(i);
      have = size;
    }
    hak_free(p);
  }
  puts("realloc_edges_test: ok");
  return 0;
}
