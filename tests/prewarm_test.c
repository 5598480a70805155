/* Prewarm: with HAKMEM_PREWARM_TLS, a thread's first allocation leaves every
 * tiny class's cache holding the prewarm count (minus the block it took);
 * without it, or with HAKMEM_PREWARM_COUNT=0, caches fill only on demand. */
#include <pthread.h>
#include <stdlib.h>

#include "hakmem/box/tls_cache.h"
#include "hakmem/core/options.h"
#include "hakmem/hakmem.h"
#include "tests/check.h"

static void *first_alloc(void *arg) {
  long expect = *(long *)arg;
  void *p = hak_malloc(100);
  unsigned c100 = hk_size_class(100);
  for (unsigned c = 0; c < HK_TINY_CLASSES; c++) {
    long cached = (long)(hk_cache_cap(c) - hk_tls.room[c]);
    if (expect == 0)
      CHECK(cached == 0 || c == c100);
    else
      CHECK_EQ(cached, c == c100 ? expect - 1 : expect);
  }
  for (unsigned c = HK_TINY_CLASSES; c < HK_NUM_CLASSES; c++)
    CHECK_EQ(hk_cache_cap(c) - hk_tls.room[c], 0);
  hak_free(p);
  return NULL;
}

static void run(long expect) {
  pthread_t th;
  CHECK_EQ(pthread_create(&th, NULL, first_alloc, &expect), 0);
  CHECK_EQ(pthread_join(th, NULL), 0);
}

int main(void) {
  hak_free(hak_malloc(1)); /* init */
#if HAKMEM_PREWARM_TLS
  run(hk_opt.prewarm_count);
  hk_opt.prewarm_count = 5;
  run(5);
  hk_opt.prewarm_count = 0;
#endif
  run(0);
  return 0;
}
