/* realloc of a large block down to a span or class size moves it out of its
 * mapping (whose 2 MiB chunks then go back), keeping the data; down to a size
 * that is still large it shrinks in place. */
#include <stdint.h>
#include <string.h>

#include "hakmem/hakmem.h"
#include "tests/check.h"

#define MIB ((size_t)1 << 20)

int main(void) {
  const size_t targets[] = {60000, 65600, 300000, 1000000};
  for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
    char *p = hak_malloc(5 * MIB);
    CHECK(p != NULL);
    memset(p, (int)i + 1, targets[i]);
    char *q = hak_realloc(p, targets[i]);
    CHECK(q != NULL);
    /* A 2 MiB chunk would leave it over 1 MiB usable; a span or class fits. */
    CHECK(hak_usable_size(q) < MIB + MIB / 8);
    CHECK(hak_usable_size(q) >= targets[i]);
    for (size_t j = 0; j < targets[i]; j++)
      CHECK_EQ(q[j], (char)(i + 1));
    hak_free(q);
  }
  /* Still large: in place (mremap shrinks the mapping). */
  char *p = hak_malloc(9 * MIB);
  CHECK(p != NULL);
  p[0] = 7;
  char *q = hak_realloc(p, 3 * MIB);
  CHECK(q == p && q[0] == 7);
  CHECK(hak_usable_size(q) >= 3 * MIB && hak_usable_size(q) < 5 * MIB);
  hak_free(q);
  puts("realloc_shrink_test: ok");
  return 0;
}
