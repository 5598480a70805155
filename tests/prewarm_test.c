/* Prewarm: with HAKMEM_PREWARM_TLS, a thread's first allocation leaves every
 * tiny class that has a partial slab in the adopted heap holding up to the
 * prewarm count (minus the block it took), from memory already resident: a
 * fresh heap gets nothing but its first refill. Without it, or with
 * HAKMEM_PREWARM_COUNT=0, caches fill only on demand. */
#include <pthread.h>
#include <stdlib.h>

#include "hakmem/box/tls_cache.h"
#include "hakmem/core/options.h"
#include "hakmem/hakmem.h"
#include "tests/check.h"

static void *kept[HK_TINY_CLASSES];

/* Leaves one live block in every tiny class, so each keeps a partial slab in
 * this thread's heap when it is pooled. */
static void *seed(void *arg) {
  (void)arg;
  for (unsigned c = 0; c < HK_TINY_CLASSES; c++)
    kept[c] = hak_malloc(hk_class_usable(c));
  return NULL;
}

static void *first_alloc(void *arg) {
  long expect = *(long *)arg;
  void *p = hak_malloc(100);
  unsigned c100 = hk_size_class(100);
  for (unsigned c = 0; c < HK_TINY_CLASSES; c++) {
    long cached = (long)(hk_cache_cap(c) - hk_tls.room[c]);
    if (expect == 0)
      CHECK(cached == 0 || c == c100);
    else if (c != c100)
      CHECK(cached >= 1 && cached <= expect); /* fewer for the big classes */
  }
  for (unsigned c = HK_TINY_CLASSES; c < HK_NUM_CLASSES; c++)
    CHECK_EQ(hk_cache_cap(c) - hk_tls.room[c], 0);
  hak_free(p);
  return NULL;
}

static void run(void *(*fn)(void *), long expect) {
  pthread_t th;
  CHECK_EQ(pthread_create(&th, NULL, fn, &expect), 0);
  CHECK_EQ(pthread_join(th, NULL), 0);
}

int main(void) {
  hak_free(hak_malloc(1)); /* init */
  run(seed, 0);
#if HAKMEM_PREWARM_TLS
  run(first_alloc, hk_opt.prewarm_count);
  hk_opt.prewarm_count = 5;
  run(first_alloc, 5);
  hk_opt.prewarm_count = 0;
#endif
  run(first_alloc, 0);
  for (unsigned c = 0; c < HK_TINY_CLASSES; c++)
    hak_free(kept[c]);
  return 0;
}
