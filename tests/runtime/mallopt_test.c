/* hak_mallopt (the override's mallopt): glibc's answers, and M_TRIM_THRESHOLD
 * onto LARGE_CACHE_BYTES. Outside the sanitizer builds (whose runtimes
 * intercept mallopt), glibc's own mallopt is the oracle for every answer. */
#include <malloc.h>

#include "hakmem/hakmem.h"
#include "tests/check.h"

static long large_cache_bytes(void) {
  long v = -1;
  CHECK_EQ(hak_option_get("LARGE_CACHE_BYTES", &v), 0);
  return v;
}

int main(void) {
  static const int params[] = {M_MXFAST,    M_TRIM_THRESHOLD,
                               M_TOP_PAD,   M_MMAP_THRESHOLD,
                               M_MMAP_MAX,  M_CHECK_ACTION,
                               M_PERTURB,   M_ARENA_TEST,
                               M_ARENA_MAX, 12345,
                               -100};
  static const int values[] = {-1, 0, 1, 160, 161, 1 << 20, 32 << 20, (32 << 20) + 1, 0x7fffffff};
  int zeros = 0;
  for (unsigned i = 0; i < sizeof params / sizeof params[0]; i++) {
    for (unsigned j = 0; j < sizeof values / sizeof values[0]; j++) {
      int p = params[i], v = values[j];
      int want = p == M_MXFAST && (v < 0 || v > 160) ? 0 : 1;
      int got = hak_mallopt(p, v);
      if (got != want)
        fprintf(stderr, "hak_mallopt(%d, %d) = %d, want %d\n", p, v, got, want);
      CHECK_EQ(got, want);
#ifndef HK_TEST_SANITIZER
      CHECK_EQ(got, mallopt(p, v));
#endif
      zeros += !got;
    }
  }
  CHECK_EQ(zeros, 6); /* M_MXFAST: -1, 161 and the four larger values */

  CHECK_EQ(hak_mallopt(M_TRIM_THRESHOLD, 12345), 1);
  CHECK_EQ(large_cache_bytes(), 12345);
  CHECK_EQ(hak_mallopt(M_TRIM_THRESHOLD, 0), 1);
  CHECK_EQ(large_cache_bytes(), 0);
  CHECK_EQ(hak_mallopt(M_TRIM_THRESHOLD, -1), 1); /* glibc: never trim */
  CHECK_EQ(large_cache_bytes(), 1L << 40);
  /* Nothing else moves an option. */
  long purge = -1;
  CHECK_EQ(hak_option_get("PURGE_DELAY_MS", &purge), 0);
  CHECK_EQ(hak_mallopt(M_MMAP_THRESHOLD, 1 << 20), 1);
  CHECK_EQ(hak_mallopt(M_ARENA_MAX, 1), 1);
  CHECK_EQ(large_cache_bytes(), 1L << 40);
  long purge_after = -1;
  CHECK_EQ(hak_option_get("PURGE_DELAY_MS", &purge_after), 0);
  CHECK_EQ(purge_after, purge);
  puts("mallopt_test: passed");
  return 0;
}
