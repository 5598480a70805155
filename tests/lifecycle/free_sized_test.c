/* free_sized checks its size in debug and hardened builds: a size larger than
 * the block, or one too small to have been requested for it (below the
 * previous class's usable size), aborts naming the misuse and the address.
 * Release builds do not check. */
#include <string.h>

#include "hakmem/core/config.h"
#include "tests/child_abort.h"
#include "tests/lifecycle/lifecycle.h"

typedef struct sized_free {
  size_t alloc, size;
} sized_free_t;

static void free_sized_of(void *arg) {
  const sized_free_t *f = arg;
  hak_free_sized(hak_malloc(f->alloc), f->size);
}

/* Runs hak_free_sized(malloc(alloc), size) in a child; its stderr in msg. */
static int dies(size_t alloc, size_t size, char *msg, size_t cap) {
  sized_free_t f = {alloc, size};
  return child_aborts(free_sized_of, &f, msg, cap);
}

int main(void) {
#if HAKMEM_BUILD_RELEASE && !HAKMEM_HARDENED
  puts("skipped: release builds do not check free_sized");
  return 0;
#endif
  char msg[256];
  /* The right sizes pass, at both ends of the class. */
  for (size_t n = 1; n <= 70000; n = n * 3 + 1) {
    void *p = hak_malloc(n);
    hak_free_sized(p, n);
    p = hak_malloc(n);
    hak_free_sized(p, hak_usable_size(p));
  }
  CHECK(dies(100, 5000, msg, sizeof msg));
  CHECK(strstr(msg, "hakmem: invalid free_sized of 0x") != NULL);
  CHECK(strstr(msg, "(a size larger than the block)") != NULL);
  CHECK(dies(1000, 10, msg, sizeof msg));
  fprintf(stderr, "too small: %s", msg);
  CHECK(strstr(msg, "hakmem: invalid free_sized of 0x"));
  CHECK(strstr(msg, "(a size smaller than the block was asked for)"));
  CHECK(dies(30000, 1000, msg, sizeof msg));
  fprintf(stderr, "too small (mid): %s", msg);
  CHECK(strstr(msg, "smaller than the block was asked for"));
  return 0;
}
