/* HAKMEM_ABORT_ON_ERROR=0 (here hak_option_set): a misuse hakmem finds is
 * reported, the block left alone, and the program goes on, in every build that
 * finds it: a large block freed twice or freed at an interior address, realloc
 * and malloc_usable_size of a freed large block (each reported under its own
 * name), and, in debug builds (their check of each free), a small block freed
 * twice in a row, realloc of the small block freed last (it said "double
 * free", realloc having moved the block and freed it again, or kept it in
 * place) and free_aligned_sized with an alignment the block lacks.
 * Before, the large ones aborted whatever the option said, and so did the
 * debug build's checks. The reports go to stderr; the test checks
 * that it is still running and that no block is handed out twice. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hakmem/core/config.h"
#include "hakmem/hakmem.h"
#include "tests/check.h"

int main(void) {
  CHECK_EQ(hak_option_set("HAKMEM_ABORT_ON_ERROR", 0), 0);
  size_t big = 3 << 20;
  char *p = hak_malloc(big);
  CHECK(p != NULL);
  hak_free(p);
  hak_free(p); /* double free of a large block */
  errno = 0;
  CHECK(hak_realloc(p, big * 2) == NULL); /* realloc after free */
  CHECK_EQ(errno, EINVAL);
  CHECK_EQ(hak_usable_size(p), 0);
  char *a = hak_malloc(big), *b = hak_malloc(big);
  CHECK(a != NULL && b != NULL && a != b);
  hak_free(a + 4096); /* interior: left alone, a stays live */
  memset(a, 1, big);
  hak_free(a);
  hak_free(b);
#if !HAKMEM_BUILD_RELEASE
  char *s = hak_malloc(100);
  hak_free(s);
  hak_free(s); /* in a row: the debug check sees it */
  char *r = hak_malloc(100);
  hak_free(r);
  errno = 0;
  CHECK(hak_realloc(r, 400) == NULL); /* realloc after free: reported, nothing moves */
  CHECK_EQ(errno, EINVAL);
  CHECK(hak_realloc(r, 90) == NULL); /* nor stays */
  CHECK_EQ(hak_usable_size(r), 0);
  char *x = hak_malloc(100), *y = hak_malloc(100);
  CHECK(x != y);
  hak_free(x);
  hak_free(y);
  char *m = hak_malloc(100); /* 16-byte aligned, not 4096 */
  CHECK(((uintptr_t)m & 4095) != 0);
  hak_free_aligned_sized(m, 4096, 100); /* an alignment it lacks: left alone */
  memset(m, 2, 100);
  hak_free(m);
#endif
  puts("report_and_go_on_test: went on after each report");
  return 0;
}
