/* The first block of a class costs the pages it lies in, not a batch's: the
 * thread cache's refill carves into a page no carving has written only as far
 * as it must (hakmem/box/refill.c). For each class from 512 B to 4 KiB, its
 * first allocation (a new slab) adds at most 2 resident pages to the
 * SuperSlab: the block's one or two (the slab records are resident from the
 * start). Carving a whole batch at once made it 5 at 500 B (and, in a fresh
 * process, 7-8 pages of slab for each class from 1 to 4 KiB). Counted with
 * mincore, so nothing but the SuperSlab's own pages counts; transparent huge
 * pages are off for the test, which would make the SuperSlab resident whole. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "hakmem/core/os.h"
#include "hakmem/hakmem.h"
#include "tests/check.h"

#define CHUNK ((uintptr_t)2 << 20) /* a SuperSlab */

static int resident_pages(uintptr_t chunk) {
  return (int)(hk_os_resident((const void *)chunk, CHUNK) / 4096);
}

int main(void) {
  CHECK(prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0);
  static const size_t sizes[] = {500, 1000, 1500, 2000, 3000, 4000}; /* one class each */
  void *first = hak_malloc(16);
  CHECK(first != NULL);
  uintptr_t chunk = (uintptr_t)first & ~(CHUNK - 1);
  void *blocks[sizeof sizes / sizeof sizes[0]];
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    int before = resident_pages(chunk);
    CHECK(before < (int)(CHUNK / 4096)); /* not a huge page */
    blocks[i] = hak_malloc(sizes[i]);
    CHECK(blocks[i] != NULL);
    CHECK(((uintptr_t)blocks[i] & ~(CHUNK - 1)) == chunk); /* the same SuperSlab */
    memset(blocks[i], 1, sizes[i]);
    int added = resident_pages(chunk) - before;
    fprintf(stderr, "first malloc(%zu): %d new resident pages\n", sizes[i], added);
    CHECK(added <= 2);
  }
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
    hak_free(blocks[i]);
  hak_free(first);
  return 0;
}
