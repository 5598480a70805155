/* Remote free: blocks one thread allocates and another frees go back to the
 * owner's slabs through the remote lists; the owner collects them on refill,
 * nothing is lost (slab use counts fall to zero) and nothing is handed out
 * twice (every address live at once is distinct). */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "hakmem/box/refill.h"
#include "hakmem/box/remote_free.h"
#include "hakmem/box/tls_cache.h"
#include "hakmem/hakmem.h"
#include "tests/check.h"

#define N 20000
static void *blocks[N];

static void *free_all(void *arg) {
  (void)arg;
  for (int i = 0; i < N; i++)
    hak_free(blocks[i]);
  return NULL;
}

static int cmp_ptr(const void *a, const void *b) {
  uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
  return x < y ? -1 : x > y;
}

int main(void) {
  for (int round = 0; round < 5; round++) {
    for (int i = 0; i < N; i++) {
      blocks[i] = hak_malloc(32 + (i % 4) * 100);
      CHECK(blocks[i] != NULL);
    }
    qsort(blocks, N, sizeof blocks[0], cmp_ptr);
    for (int i = 1; i < N; i++)
      CHECK(blocks[i] != blocks[i - 1]);
    pthread_t th;
    CHECK_EQ(pthread_create(&th, NULL, free_all, NULL), 0);
    CHECK_EQ(pthread_join(th, NULL), 0);
  }
  /* The last round's frees are pending for this heap: collect them. */
  hk_heap_t *heap = hk_tls.heap;
  CHECK(heap != NULL);
  CHECK(atomic_load(&heap->rq) != NULL);
  hk_remote_collect(heap);
  CHECK(atomic_load(&heap->rq) == NULL);
  /* With the cache flushed too, every slab that got a block back is empty. */
  for (unsigned c = 0; c < HK_NUM_CLASSES; c++) {
    hk_spill(&hk_tls, c, UINT32_MAX);
    for (hk_slab_t *s = heap->partial[c]; s; s = s->next) {
      CHECK_EQ(s->used, 0);
      CHECK(atomic_load(&s->remote) == 0);
    }
  }
  return 0;
}
