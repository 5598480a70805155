/* hak_option_get/set: names, ranges and errors; an option read only at start
 * refused; a new value in force at the next slow path (REFILL_BATCH: a fresh
 * thread's refills); and threads setting and reading options while others
 * allocate (TSan runs this too). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

#include "hakmem/hakmem.h"
#include "tests/check.h"

static long get(const char *name) {
  long v = -1;
  CHECK_EQ(hak_option_get(name, &v), 0);
  return v;
}

static void check_fails(int rc, int err) {
  CHECK_EQ(rc, -1);
  CHECK_EQ(errno, err);
}

static void names_and_errors(void) {
  long v = 7;
  /* Defaults (the test runs with no HAKMEM_* in its environment). */
  CHECK_EQ(get("PURGE_DELAY_MS"), 50);
  CHECK_EQ(get("HAKMEM_PURGE_DELAY_MS"), 50);
  CHECK_EQ(get("purge_delay_ms"), 50);
  CHECK_EQ(get("hakmem_Refill_Batch"), 32);
  CHECK_EQ(get("VERBOSE"), 0);
  check_fails(hak_option_get("PURGE_DELAY", &v), ENOENT);
  check_fails(hak_option_get("PURGE_DELAY_MS_", &v), ENOENT);
  check_fails(hak_option_get("HAKMEM_", &v), ENOENT);
  check_fails(hak_option_get("", &v), ENOENT);
  check_fails(hak_option_get(NULL, &v), ENOENT);
  check_fails(hak_option_get("PURGE_DELAY_MS", NULL), EINVAL);
  CHECK_EQ(v, 7);

  check_fails(hak_option_set("NO_SUCH_OPTION", 1), ENOENT);
  check_fails(hak_option_set("PURGE_DELAY_MS", -1), EINVAL);
  check_fails(hak_option_set("PURGE_DELAY_MS", 3600001), EINVAL);
  check_fails(hak_option_set("CACHE_BYTES", 1023), EINVAL);
  check_fails(hak_option_set("SHOW_STATS", 3), EINVAL);
  CHECK_EQ(get("PURGE_DELAY_MS"), 50);
  /* Read once at start: refused, unchanged. */
  check_fails(hak_option_set("VERBOSE", 1), EPERM);
  CHECK_EQ(get("VERBOSE"), 0);

  CHECK_EQ(hak_option_set("purge_delay_ms", 3600000), 0);
  CHECK_EQ(get("PURGE_DELAY_MS"), 3600000);
  CHECK_EQ(hak_option_set("HAKMEM_PURGE_DELAY_MS", 0), 0);
  CHECK_EQ(get("PURGE_DELAY_MS"), 0);
  CHECK_EQ(hak_option_set("PURGE_DELAY_MS", 50), 0);
}

/* A tiny class that nothing else here allocates, whose blocks fit in a page
 * many times over (a refill carves no further than a page's end), with
 * pre-warming off while it is measured. */
#define BATCH_SIZE   200
#define BATCH_BLOCKS 6

static uint64_t refills_of(size_t size) {
  hak_stats_t s = {.size = sizeof s};
  CHECK_EQ(hak_stats_get(&s), 0);
  for (unsigned c = 0; c < s.num_classes; c++)
    if (s.classes[c].block_size >= size)
      return s.classes[c].refills;
  CHECK(!"no class");
  return 0;
}

static void *alloc_batch_blocks(void *arg) {
  (void)arg;
  void *p[BATCH_BLOCKS];
  for (int i = 0; i < BATCH_BLOCKS; i++)
    CHECK((p[i] = hak_malloc(BATCH_SIZE)) != NULL);
  for (int i = 0; i < BATCH_BLOCKS; i++)
    hak_free(p[i]);
  return NULL;
}

static uint64_t refills_in_new_thread(void) {
  uint64_t before = refills_of(BATCH_SIZE);
  pthread_t t;
  CHECK_EQ(pthread_create(&t, NULL, alloc_batch_blocks, NULL), 0);
  CHECK_EQ(pthread_join(t, NULL), 0);
  return refills_of(BATCH_SIZE) - before;
}

static void takes_effect(void) {
  /* Each thread starts with an empty cache of the class and the option's
   * batch, which doubles at each refill: with a batch of 1, 6 blocks take 3
   * refills (1 + 2 + 4); with the default, the first brings them all. */
  long prewarm = get("PREWARM_COUNT");
  CHECK_EQ(hak_option_set("PREWARM_COUNT", 0), 0);
  CHECK_EQ(hak_option_set("REFILL_BATCH", 1), 0);
  uint64_t one = refills_in_new_thread();
  CHECK_EQ(hak_option_set("REFILL_BATCH", 32), 0);
  uint64_t batched = refills_in_new_thread();
  CHECK_EQ(hak_option_set("PREWARM_COUNT", prewarm), 0);
  printf("refills for %d blocks of %d B: %llu with REFILL_BATCH=1, %llu with 32\n", BATCH_BLOCKS,
         BATCH_SIZE, (unsigned long long)one, (unsigned long long)batched);
  CHECK_EQ(one, 3);
  CHECK(batched < one);
}

#define SETTERS 2
#define WORKERS 3
#define ROUNDS  20000
static atomic_int setters_done;

static void *setter(void *arg) {
  long base = (long)(intptr_t)arg;
  for (int i = 0; i < ROUNDS; i++) {
    CHECK_EQ(hak_option_set("PURGE_DELAY_MS", base + (i & 1)), 0);
    CHECK_EQ(hak_option_set("LARGE_CACHE_BYTES", (base + (i & 3)) << 20), 0);
    CHECK_EQ(hak_option_set("CACHE_BYTES", 4096 << (i & 3)), 0);
    CHECK_EQ(hak_option_set("PREWARM_COUNT", i & 7), 0);
  }
  atomic_fetch_add(&setters_done, 1);
  return NULL;
}

static void *spawn_empty(void *arg) {
  hak_free(hak_malloc(16));
  return arg;
}

/* Allocates small and large blocks and starts threads (which read the
 * per-thread options) while the setters run; every value read is one set. */
static void *worker(void *arg) {
  (void)arg;
  void *keep[64] = {0};
  for (unsigned i = 0; atomic_load(&setters_done) < SETTERS || i < 1000; i++) {
    unsigned k = i % 64;
    hak_free(keep[k]);
    keep[k] = hak_malloc(i % 7 == 0 ? (size_t)2 << 20 : 16 + i % 3000);
    CHECK(keep[k] != NULL);
    long v = get("PURGE_DELAY_MS");
    CHECK(v == 0 || v == 1 || v == 100 || v == 101 || v == 50);
    if (i % 500 == 0) {
      pthread_t t;
      CHECK_EQ(pthread_create(&t, NULL, spawn_empty, NULL), 0);
      CHECK_EQ(pthread_join(t, NULL), 0);
    }
  }
  for (unsigned k = 0; k < 64; k++)
    hak_free(keep[k]);
  return NULL;
}

static void from_many_threads(void) {
  pthread_t s[SETTERS], w[WORKERS];
  for (int i = 0; i < WORKERS; i++)
    CHECK_EQ(pthread_create(&w[i], NULL, worker, NULL), 0);
  for (int i = 0; i < SETTERS; i++)
    CHECK_EQ(pthread_create(&s[i], NULL, setter, (void *)(intptr_t)(i * 100)), 0);
  for (int i = 0; i < SETTERS; i++)
    CHECK_EQ(pthread_join(s[i], NULL), 0);
  for (int i = 0; i < WORKERS; i++)
    CHECK_EQ(pthread_join(w[i], NULL), 0);
  long v = get("PURGE_DELAY_MS");
  CHECK(v == 1 || v == 101); /* each setter's last value */
}

int main(void) {
  names_and_errors();
  takes_effect();
  from_many_threads();
  puts("option_test: passed");
  return 0;
}
