/* threads: two to four threads that hand blocks to each other, scheduled by
 * the input, not the OS: a turn counter under a mutex lets exactly one thread
 * run at a time, so one input always runs the same way.
 *
 * Input: byte 0 picks the thread count; then four-byte operations: who and
 * what, slot, size (two bytes). Blocks live in one shared table, so a free or
 * realloc by a thread other than the allocating one is a remote free; bursts
 * drive refill and spill; a batch freed by another thread drives remote
 * collection; a thread may exit (its heap goes to the pool) and be replaced by
 * a new thread that adopts that heap.
 *
 * Checks: every block as in alloc_ops (alignment, usable size, header, fill,
 * no overlap); at the end everything is freed, every thread exits, and after
 * malloc_trim the statistics are back where they began and the resident
 * memory hakmem holds stays within a fixed bound. */
#include <pthread.h>

#include "fuzz/fuzz_common.h"

#define MAX_THREADS 4
#define SLOTS       32
#define BATCH       64
/* Resident bytes (os_resident: mapped and not given back) hakmem may keep once
 * all threads exited and malloc_trim ran, beyond what it held before the first
 * input: SuperSlab headers, heap metadata and never-touched units of mapped
 * SuperSlabs (counted resident until purged once), never the blocks. Measured:
 * at most 4.9 MiB over 20,000 replayed random inputs with 2-4 threads; the
 * input in fuzz/regressions/threads went past it from its 2nd run before
 * exited heaps gave their SuperSlabs back. */
#define RESIDENT_BOUND ((uint64_t)8 << 20)

typedef struct {
  unsigned char *p;
  size_t n;
  unsigned char tag;
} block_t;

enum { COORD = -1, OP_EXIT = 63 };

static struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int turn; /* the worker that may run, or COORD */
  int quit; /* the worker whose turn it is exits */
  int threads;
  hkf_in_t ops; /* the operations the worker runs */
  block_t slot[SLOTS];
  block_t batch[BATCH];
  unsigned nbatch;
  hkf_iv_t iv[SLOTS + BATCH];
  hkf_ivset_t live;
} g = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .turn = COORD};

/* cls: the header the block must carry (hkf_made_class), or -1. */
static void put(block_t *b, unsigned char *p, size_t n, int cls, unsigned tag) {
  hkf_iv_add(&g.live, p, hkf_check_block(p, n, HK_ALIGN, cls));
  b->p = p;
  b->n = n;
  b->tag = (unsigned char)tag;
  hkf_stamp(p, n, b->tag);
}

static void release(block_t *b) {
  if (!b->p)
    return;
  size_t bad = hkf_verify(b->p, b->n, b->tag);
  HKF_CHECK(bad == b->n, "fill pattern changed while the block was live", b->p + bad, b->n);
  hkf_iv_del(&g.live, b->p);
  hak_free(b->p);
  b->p = NULL;
}

/* One operation, on the thread whose turn it is. */
static void step(unsigned what, unsigned arg, size_t n) {
  block_t *b = &g.slot[arg % SLOTS];
  switch (what) {
  case 0:
  case 1:
  case 2:
  default:
    release(b);
    put(b, hak_malloc(n), n, hkf_made_class(n, HK_ALIGN), arg ^ what);
    break;
  case 3:
    release(b);
    break;
  case 4: { /* realloc of a block another thread may own */
    if (!b->p)
      break;
    block_t old = *b;
    hkf_iv_del(&g.live, b->p);
    size_t m = n ? n : 1;
    unsigned char *q = hak_realloc(b->p, m);
    HKF_CHECK(q, "realloc failed", b->p, m);
    size_t keep = old.n < m ? old.n : m;
    HKF_CHECK(hkf_verify_prefix(q, old.n, keep, old.tag) == keep, "realloc lost the prefix", q,
              keep);
    b->p = NULL;
    /* In place, or a large block moved by mremap: no class to check. */
    int cls = q == old.p || old.n > HK_SMALL_MAX ? -1 : hkf_made_class(m, HK_ALIGN);
    put(b, q, m, cls, old.tag);
    break;
  }
  case 5: /* read another thread's block */
    if (b->p)
      HKF_CHECK(hkf_verify(b->p, b->n, b->tag) == b->n, "fill changed", b->p, b->n);
    break;
  case 6: /* burst: more blocks of one class than its cache holds (refill, spill) */
  case 7: {
    size_t sz = n % (HK_SMALL_MAX + 1);
    unsigned count = 8 + arg % 120;
    void *tmp[128];
    for (unsigned i = 0; i < count; i++) {
      tmp[i] = hak_malloc(sz);
      hkf_check_block(tmp[i], sz, HK_ALIGN, hkf_made_class(sz, HK_ALIGN));
      if (sz)
        ((unsigned char *)tmp[i])[sz - 1] = (unsigned char)i;
    }
    for (unsigned i = count; i-- > 0;) {
      HKF_CHECK(!sz || ((unsigned char *)tmp[i])[sz - 1] == (unsigned char)i, "burst block changed",
                tmp[i], sz);
      hak_free(tmp[i]);
    }
    break;
  }
  case 8: /* a batch that another thread will free */
    for (unsigned k = 0; k < 1 + arg % 16 && g.nbatch < BATCH; k++) {
      size_t sz = (n + k * 48) % (HK_TINY_MAX * 4);
      put(&g.batch[g.nbatch++], hak_malloc(sz), sz, hkf_made_class(sz, HK_ALIGN), arg + k);
    }
    break;
  case 9: /* free the batch (remote for every block another thread made) */
    while (g.nbatch)
      release(&g.batch[--g.nbatch]);
    break;
  case 10:
    hak_malloc_trim(0);
    break;
  }
}

/* Who runs the next operation. */
static int next_worker(void) { return (*g.ops.p & 3) % g.threads; }

static void *worker(void *arg) {
  int me = (int)(intptr_t)arg;
  pthread_mutex_lock(&g.mu);
  for (;;) {
    while (g.turn != me)
      pthread_cond_wait(&g.cv, &g.mu);
    if (g.quit)
      break;
    /* Run the worker's operations until the next one is another thread's. */
    while (hkf_more(&g.ops)) {
      unsigned head = hkf_u8(&g.ops), arg8 = hkf_u8(&g.ops);
      size_t n = hkf_size(hkf_u16(&g.ops));
      step(head >> 2, arg8, n);
      if (!hkf_more(&g.ops) || next_worker() != me || (*g.ops.p >> 2) == OP_EXIT)
        break;
    }
    g.turn = COORD;
    pthread_cond_broadcast(&g.cv);
  }
  g.quit = 0;
  g.turn = COORD;
  pthread_cond_broadcast(&g.cv);
  pthread_mutex_unlock(&g.mu);
  return NULL;
}

/* Gives the turn to worker w and waits until it hands it back. */
static void hand_turn(int w) {
  pthread_mutex_lock(&g.mu);
  g.turn = w;
  pthread_cond_broadcast(&g.cv);
  while (g.turn != COORD)
    pthread_cond_wait(&g.cv, &g.mu);
  pthread_mutex_unlock(&g.mu);
}

static void start(pthread_t *th, int w) {
  if (pthread_create(th, NULL, worker, (void *)(intptr_t)w) != 0)
    hkf_fail("pthread_create failed", NULL, 0);
}

/* The worker exits: its heap goes to the pool (thread exit). */
static void stop(pthread_t th, int w) {
  pthread_mutex_lock(&g.mu);
  g.quit = 1;
  pthread_mutex_unlock(&g.mu);
  hand_turn(w);
  pthread_join(th, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static hkf_usage_t base;
  static int have_base;
  if (!have_base) {
    hak_malloc_trim(0);
    hkf_usage(&base);
    have_base = 1;
  }
  if (size < 1)
    return 0;
  int threads = g.threads = 2 + data[0] % (MAX_THREADS - 1);
  memset(g.slot, 0, sizeof g.slot);
  g.nbatch = 0;
  g.live = (hkf_ivset_t){g.iv, 0, SLOTS + BATCH};
  g.ops = (hkf_in_t){data + 1, data + size};
  pthread_t th[MAX_THREADS];
  for (int w = 0; w < threads; w++)
    start(&th[w], w);
  while (hkf_more(&g.ops)) {
    int w = next_worker();
    if ((*g.ops.p >> 2) == OP_EXIT) { /* thread exit, and a new thread in its place */
      g.ops.p += 4;
      stop(th[w], w);
      start(&th[w], w);
      continue;
    }
    hand_turn(w);
  }
  for (int w = 0; w < threads; w++)
    stop(th[w], w);
  /* This thread has no heap: what is left goes back as remote frees into the
   * pooled heaps, which malloc_trim collects. */
  for (unsigned i = 0; i < SLOTS; i++)
    release(&g.slot[i]);
  while (g.nbatch)
    release(&g.batch[--g.nbatch]);
  hak_malloc_trim(0);
  hkf_usage_t now;
  hkf_usage(&now);
  hkf_usage_same(&base, &now);
  /* Exited threads' heaps are adopted, never orphaned: no more heaps than
   * threads ever alive at once (this thread never allocates). */
  HKF_CHECK(now.heaps <= MAX_THREADS, "more heaps than threads alive at once (orphaned heaps)",
            NULL, (size_t)now.heaps);
  HKF_CHECK(now.resident <= base.resident + RESIDENT_BOUND,
            "resident memory after every thread exited and malloc_trim ran exceeds the bound", NULL,
            (size_t)(now.resident - base.resident));
  return 0;
}
