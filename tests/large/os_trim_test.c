/* hk_os_map_aligned maps size + align and trims the unaligned head and the tail. A trim
 * that fails must not leave a mapping the counters do not know: the map fails with ENOMEM
 * and everything still mapped goes back. munmap is wrapped (-Wl,--wrap=munmap) to fail
 * one chosen call. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

#include "hakmem/core/os.h"
#include "tests/check.h"

int __real_munmap(void *p, size_t size);

static int fail_call;    /* 1-based number of the munmap call to fail; 0: none */
static int calls;        /* munmap calls since the last reset */
static uintptr_t last_p; /* the last successful munmap's range */
static size_t last_size;

int __wrap_munmap(void *p, size_t size) {
  if (++calls == fail_call) {
    errno = EINVAL;
    return -1;
  }
  last_p = (uintptr_t)p;
  last_size = size;
  return __real_munmap(p, size);
}

#define SIZE  ((size_t)4 << 20)
#define ALIGN ((size_t)8 << 20)

static int mapped(uintptr_t p) { return msync((void *)(p & ~(uintptr_t)4095), 4096, 0) == 0; }

static void check_trim_failure(int which) {
  hk_os_counters_t c0, c1;
  hk_os_get_counters(&c0);
  calls = 0;
  fail_call = which;
  errno = 0;
  void *p = hk_os_map_aligned(SIZE, ALIGN);
  fail_call = 0;
  hk_os_get_counters(&c1);
  if (calls < which) { /* no head (or no tail) to trim this time: nothing failed */
    CHECK(p != NULL);
    hk_os_unmap(p, SIZE);
    return;
  }
  CHECK(p == NULL);
  CHECK_EQ(errno, ENOMEM);
  CHECK_EQ(c1.bytes_mapped, c0.bytes_mapped);
  CHECK_EQ(c1.maps, c0.maps);
  /* What was left went back: the last unmap covered it. */
  CHECK(!mapped(last_p) && !mapped(last_p + last_size - 1));
  printf("os_trim_test: trim %d failed: map failed with ENOMEM, %zu bytes given back\n", which,
         last_size);
}

int main(void) {
  void *p = hk_os_map_aligned(SIZE, ALIGN);
  CHECK(p != NULL && ((uintptr_t)p & (ALIGN - 1)) == 0);
  hk_os_unmap(p, SIZE);
  for (int i = 0; i < 20; i++) { /* mmap's placement decides whether a head exists */
    check_trim_failure(1);
    check_trim_failure(2);
  }
  return 0;
}
