/* realloc shrinking a span to a span's size keeps the block in place and gives
 * the pages past the new size back (hakmem/core/span.c, hk_span_shrink), as
 * glibc shrinks a chunk in place. Before, the block moved: the copy read every
 * page of the old block, written or not, and wrote as many new ones, and a
 * program cutting buffers down (a 900 KB buffer trimmed to what it holds)
 * faulted in both (a stress program of the kind: 12.6 s against glibc's 3.5).
 * Checked: the pointer and contents stay, the usable size and the statistics'
 * large bytes fall with it, the pages given back serve the next span, page
 * faults of a shrink loop stay few; another thread's span stays in place too,
 * with its pages (only the owner changes them); a large block shrunk to a
 * span's size stays, its tail unmapped. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hakmem/hakmem.h"
#include "tests/check.h"
#include "tests/statm.h"
#include "tests/stats_check.h"

#define KIB ((size_t)1 << 10)

static uint64_t large_in_use(void) { return checked_stats().large_bytes_in_use; }
/* Large blocks made and freed: a shrink is neither. */
static uint64_t large_ops(void) {
  hak_stats_t s = checked_stats();
  return s.large_allocs + s.large_frees;
}

static void *other_thread_span(void *arg) {
  (void)arg;
  void *p = hak_malloc(900 * KIB);
  CHECK(p != NULL);
  memset(p, 7, 900 * KIB);
  return p;
}

int main(void) {
  /* In place, contents kept, the usable size and the statistics down. */
  unsigned char *p = hak_malloc(900 * KIB);
  CHECK(p != NULL);
  for (size_t i = 0; i < 900 * KIB; i++)
    p[i] = (unsigned char)(i * 31);
  size_t before = hak_usable_size(p);
  uint64_t large0 = large_in_use(), ops0 = large_ops();
  unsigned char *q = hak_realloc(p, 100 * KIB);
  CHECK(q == p);
  CHECK_EQ(large_ops(), ops0);
  for (size_t i = 0; i < 100 * KIB; i++)
    CHECK(q[i] == (unsigned char)(i * 31));
  size_t after = hak_usable_size(q);
  uint64_t large1 = large_in_use();
  fprintf(stderr, "900 KiB span shrunk to 100 KiB: usable %zu -> %zu, large in use %llu -> %llu\n",
          before, after, (unsigned long long)large0, (unsigned long long)large1);
  CHECK(after >= 100 * KIB && after < 110 * KIB);
  CHECK(large0 - large1 >= 780 * KIB);
  /* The pages past it serve the next span: it lands just past the block. */
  unsigned char *next = hak_malloc(700 * KIB);
  CHECK(next != NULL);
  CHECK(next > q && next < q + 120 * KIB);
  memset(next, 1, 700 * KIB);
  for (size_t i = 0; i < 100 * KIB; i++)
    CHECK(q[i] == (unsigned char)(i * 31));
  hak_free(next);
  hak_free(q);

  /* A loop that trims buffers: no copy, no new pages per round. */
  long f0 = minor_faults();
  for (int round = 0; round < 500; round++) {
    unsigned char *b = hak_malloc(900 * KIB);
    CHECK(b != NULL);
    memset(b, round, 64);
    b = hak_realloc(b, 450 * KIB);
    CHECK(b != NULL && b[63] == (unsigned char)round);
    hak_free(b);
  }
  long faults = minor_faults() - f0;
  fprintf(stderr, "500 rounds of malloc(900 KiB), realloc to 450 KiB, free: %ld page faults\n",
          faults);
  CHECK(faults < 5000); /* a copy per round: 500 x 225 pages */

  /* A large block shrunk to a span's size stays a mapping, its tail unmapped. */
  unsigned char *big = hak_malloc(3 << 20);
  CHECK(big != NULL);
  memset(big, 5, 3 << 20);
  large0 = large_in_use();
  unsigned char *cut = hak_realloc(big, 300 * KIB);
  CHECK(cut == big);
  CHECK(hak_usable_size(cut) >= 300 * KIB && hak_usable_size(cut) < 320 * KIB);
  CHECK(large0 - large_in_use() >= (3 << 20) - 320 * KIB);
  for (size_t i = 0; i < 300 * KIB; i++)
    CHECK(cut[i] == 5);
  hak_free(cut);

  /* Another thread's span stays. */
  pthread_t th;
  void *theirs;
  CHECK(pthread_create(&th, NULL, other_thread_span, NULL) == 0);
  CHECK(pthread_join(th, &theirs) == 0);
  unsigned char *mine = hak_realloc(theirs, 200 * KIB);
  CHECK(mine == theirs);
  CHECK(hak_usable_size(mine) >= 200 * KIB);
  for (size_t i = 0; i < 200 * KIB; i++)
    CHECK(mine[i] == 7);
  hak_free(mine);
  return 0;
}
