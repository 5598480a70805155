/* Whole free SuperSlabs are unmapped, so address space does not only grow:
 *  1. a worker maps 200 MB of 1000 B blocks and exits; the main thread frees
 *     them (remote frees into a pooled heap): after the purge delay hakmem's
 *     mapped bytes and the process's address space are back near the start;
 *  2. a thread that frees its own 200 MB gives back all but its spare;
 *  3. the queued mark, white-box: a remote free stopped between its push
 *     (which marked the slab queued) and its queueing pins the SuperSlab:
 *     trim neither loses the block nor unmaps; once the slab is queued, trim
 *     collects the block and unmaps;
 *  4. stress: remote freers free the last blocks of SuperSlabs while their
 *     owner trims (collects, releases and unmaps) over and over; a freer
 *     touching an unmapped header would crash (this part did not catch a
 *     freer that touched its slab after the owner could collect it in 5 runs:
 *     3 is the reproducer). */
#include <pthread.h>
#include <stdatomic.h>

#include "hakmem/box/remote_free.h"
#include "hakmem/box/tls_cache.h"
#include "hakmem/core/superslab.h"
#include "tests/lifecycle/lifecycle.h"
#include "tests/stats_check.h"

#define BLOCK  1000
#define BLOCKS (200L * 1000 * 1000 / BLOCK)

static void **blocks;

static long mapped(void) { return (long)checked_stats().os_mapped; }

static void *fill(void *arg) {
  (void)arg;
  fill_blocks(blocks, BLOCKS, BLOCK, 1, 64);
  return NULL;
}

/* Polls (with slow-path calls) until hakmem's mapped bytes are at most bound. */
static long wait_mapped_below(long bound) {
  long m = mapped();
  for (int i = 0; i < 250 && m > bound; i++) {
    sleep_ms(20);
    slow_path_call();
    m = mapped();
  }
  return m;
}

#define STRESS_ROUNDS 60
#define STRESS_BLOCKS 6000 /* about 3 SuperSlabs of 1000 B blocks */
static _Atomic(void *) handed[2][STRESS_BLOCKS];
static _Atomic int round_no, freed_round[2];

static void *remote_freer(void *arg) {
  int me = (int)(intptr_t)arg;
  for (int r = 1; r <= STRESS_ROUNDS; r++) {
    while (atomic_load(&round_no) < r)
      ;
    for (int i = 0; i < STRESS_BLOCKS; i++) {
      void *p;
      while (!(p = atomic_exchange(&handed[me][i], NULL)))
        ;
      hak_free(p);
    }
    atomic_store(&freed_round[me], r);
  }
  return NULL;
}

static void stress(void) {
  pthread_t th[2];
  for (int k = 0; k < 2; k++)
    CHECK_EQ(pthread_create(&th[k], NULL, remote_freer, (void *)(intptr_t)k), 0);
  for (int r = 1; r <= STRESS_ROUNDS; r++) {
    atomic_store(&round_no, r);
    for (int i = 0; i < STRESS_BLOCKS; i++)
      for (int k = 0; k < 2; k++) {
        void *p = hak_malloc(BLOCK);
        CHECK(p != NULL);
        atomic_store(&handed[k][i], p);
      }
    /* Trim while the freers are at it: collect, release, unmap. */
    while (atomic_load(&freed_round[0]) < r || atomic_load(&freed_round[1]) < r)
      hak_malloc_trim(0);
  }
  for (int k = 0; k < 2; k++)
    CHECK_EQ(pthread_join(th[k], NULL), 0);
}

int main(void) {
  hak_free(hak_malloc(1));
  blocks = hak_calloc(BLOCKS, sizeof *blocks);
  CHECK(blocks != NULL);
  long m0 = mapped(), vm0 = vm_bytes();
  pthread_t th;
  CHECK_EQ(pthread_create(&th, NULL, fill, NULL), 0);
  CHECK_EQ(pthread_join(th, NULL), 0);
  long m_peak = mapped();
  for (long i = 0; i < BLOCKS; i++)
    hak_free(blocks[i]);
  long m1 = wait_mapped_below(m0 + 4 * MIB), vm1 = vm_bytes();
  fprintf(stderr,
          "exited worker: hakmem mapped %ld KiB at start, %ld at peak, %ld after; "
          "address space %ld -> %ld KiB\n",
          m0 / KIB, m_peak / KIB, m1 / KIB, vm0 / KIB, vm1 / KIB);
  CHECK(m_peak - m0 > 150 * MIB);
  CHECK(m1 <= m0 + 4 * MIB);
  CHECK(vm1 <= vm0 + 32 * MIB); /* the worker's stack may stay in glibc's cache */

  fill(NULL);
  for (long i = 0; i < BLOCKS; i++)
    hak_free(blocks[i]);
  long m2 = wait_mapped_below(m0 + 8 * MIB);
  fprintf(stderr, "own blocks: hakmem mapped %ld KiB after\n", m2 / KIB);
  CHECK(m2 <= m0 + 8 * MIB);

  /* 3: 4 MiB of 1000 B blocks (wholly free SuperSlabs once freed). */
  for (long i = 0; i < 4 * MIB / BLOCK; i++)
    blocks[i] = hak_malloc(BLOCK);
  void *kept = blocks[0];
  hk_slab_t *slab = hk_slab_of(hk_ss_of(kept), kept);
  for (long i = 1; i < 4 * MIB / BLOCK; i++)
    hak_free(blocks[i]);
  hak_malloc_trim(0);
  hak_stats_t before = checked_stats();
  CHECK(hk_remote_push(slab, kept)); /* a remote free of kept, stopped after its push */
  hak_malloc_trim(0);
  hak_stats_t held = checked_stats();
  hk_remote_queue(hk_tls.heap, slab); /* ... and now finished */
  hak_malloc_trim(0);
  hak_stats_t after = checked_stats();
  fprintf(stderr, "queued mark: %llu unmaps while held, %llu after\n",
          (unsigned long long)(held.os_unmaps - before.os_unmaps),
          (unsigned long long)(after.os_unmaps - held.os_unmaps));
  CHECK_EQ(held.os_unmaps, before.os_unmaps);
  CHECK(after.os_unmaps > held.os_unmaps);

  hak_stats_t s0 = checked_stats();
  stress();
  hak_stats_t s1 = checked_stats();
  fprintf(stderr, "stress: %llu unmaps\n", (unsigned long long)(s1.os_unmaps - s0.os_unmaps));
  CHECK(s1.os_unmaps > s0.os_unmaps);
  hak_free(blocks);
  return 0;
}
