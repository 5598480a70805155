/* Memory back to the OS: a program that peaks at PEAK bytes of small blocks
 * (64..1024 bytes) and frees them all falls back to within 64 MiB of its base
 * RSS after malloc_trim(0). The same for blocks a finished thread allocated and
 * freed, for blocks another thread freed remotely, and for large blocks. The
 * hak_stats_get numbers move with it: bytes in use fall, the OS counters show
 * the memory given back, os_resident <= os_mapped throughout. And malloc_trim
 * and the statistics readers run while threads allocate, free and exit.
 *
 * Two measures: the process's RSS (/proc/self/statm), and the resident pages
 * (mincore) of the 2 MiB chunks the blocks occupied. Under TSan the RSS also
 * holds the shadow of every byte ever touched, which madvise does not give
 * back, so there only the second applies.
 *
 * Default config: the malloc override; sanitizer configs: hak_* and a smaller
 * peak. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hakmem/core/os.h"
#include "tests/check.h"
#include "tests/statm.h"
#include "tests/stats_check.h"
#include "tests/entry_points.h"

#define MIB ((size_t)1 << 20)
#ifndef PEAK_MIB
#define PEAK_MIB 1024
#endif
#define PEAK  ((size_t)PEAK_MIB * MIB)
#define BOUND (64 * MIB) /* after the trim: at most base + BOUND */

#if defined(__SANITIZE_THREAD__)
#define RSS_HOLDS_SHADOW 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RSS_HOLDS_SHADOW 1
#endif
#endif
#ifndef RSS_HOLDS_SHADOW
#define RSS_HOLDS_SHADOW 0
#endif

/* The 2 MiB chunks blocks were seen in: an open-addressing set of chunk
 * numbers (+1, so that 0 is free). One writer at a time. */
#define CHUNK_SHIFT 21
#define CHUNK       ((size_t)1 << CHUNK_SHIFT)
#define SET_SIZE    8192 /* > 2 x the chunks of 1 GiB plus overheads */
static uintptr_t chunk_set[SET_SIZE];
static size_t chunk_count;
static uintptr_t last_chunk;

static void chunks_reset(void) {
  memset(chunk_set, 0, sizeof chunk_set);
  chunk_count = 0;
  last_chunk = 0;
}

static void note_chunk(uintptr_t c) {
  if (c + 1 == last_chunk)
    return;
  last_chunk = c + 1;
  size_t h = (size_t)(c * 0x9e3779b97f4a7c15ULL >> 40) % SET_SIZE;
  while (chunk_set[h] && chunk_set[h] != c + 1)
    h = (h + 1) % SET_SIZE;
  if (!chunk_set[h]) {
    CHECK(chunk_count < SET_SIZE / 2);
    chunk_set[h] = c + 1;
    chunk_count++;
  }
}

static void note_block(const void *p, size_t n) {
  note_chunk((uintptr_t)p >> CHUNK_SHIFT);
  note_chunk(((uintptr_t)p + n - 1) >> CHUNK_SHIFT);
}

/* Resident bytes in the noted chunks; unmapped parts count as none. */
static size_t chunks_resident(void) {
  size_t total = 0;
  for (size_t i = 0; i < SET_SIZE; i++)
    if (chunk_set[i])
      total += hk_os_resident((void *)((chunk_set[i] - 1) << CHUNK_SHIFT), CHUNK);
  return total;
}

static void print_stats(const char *when, const hak_stats_t *s) {
  fprintf(stderr,
          "  %-14s in use %5zu MiB (small %5zu, large %5zu), peak %5zu MiB; OS mapped %5zu MiB, "
          "resident %5zu MiB; maps %llu unmaps %llu decommits %llu\n",
          when, (size_t)(s->bytes_in_use / MIB), (size_t)(s->small_bytes_in_use / MIB),
          (size_t)(s->large_bytes_in_use / MIB), (size_t)(s->bytes_in_use_peak / MIB),
          (size_t)(s->os_mapped / MIB), (size_t)(s->os_resident / MIB),
          (unsigned long long)s->os_maps, (unsigned long long)s->os_unmaps,
          (unsigned long long)s->os_decommits);
}

/* Blocks on a list threaded through their first word; each is written whole. */
typedef struct node {
  struct node *next;
} node_t;

static uint32_t next_rand(uint32_t *s) {
  *s = *s * 1664525u + 1013904223u;
  return *s >> 8;
}

/* 64..1024 bytes, mostly small: averages about 160 bytes. */
static size_t small_size(uint32_t *rng) {
  uint32_t r = next_rand(rng);
  switch (r % 10) {
  case 0:
    return 512 + r % 513;
  case 1:
  case 2:
    return 128 + r % 129;
  default:
    return 64 + r % 17;
  }
}

static node_t *alloc_small(size_t total, uint32_t seed, size_t *count) {
  node_t *head = NULL;
  size_t got = 0, n_blocks = 0;
  uint32_t rng = seed;
  while (got < total) {
    size_t n = small_size(&rng);
    node_t *b = T_MALLOC(n);
    if (!b) {
      fprintf(stderr, "malloc(%zu) failed after %zu MiB (errno %d)\n", n, got / MIB, errno);
      CHECK(0);
    }
    memset(b, (int)(n & 0xff), n);
    note_block(b, n);
    b->next = head;
    head = b;
    got += n;
    n_blocks++;
  }
  *count = n_blocks;
  return head;
}

static void free_list(node_t *head) {
  while (head) {
    node_t *next = head->next;
    T_FREE(head);
    head = next;
  }
}

/* After a phase's free and trim: the chunks its blocks used hold at most
 * BOUND resident, and (but under TSan) the RSS is back within BOUND of base. */
static void check_back(const char *what, size_t base, size_t peak, size_t chunks_peak) {
  size_t after = (size_t)rss_bytes(), chunks_after = chunks_resident();
  fprintf(stderr,
          "%s: RSS base %zu MiB, peak %zu MiB, after free + malloc_trim(0) %zu MiB; "
          "its %zu chunks: resident %zu MiB at the peak, %zu MiB after (bound: %zu MiB)\n",
          what, base / MIB, peak / MIB, after / MIB, chunk_count, chunks_peak / MIB,
          chunks_after / MIB, BOUND / MIB);
  CHECK(chunks_peak >= chunk_count * CHUNK / 4); /* the blocks were really there */
  if (chunks_after > BOUND) {
    fprintf(stderr, "%s: %zu MiB still resident where the freed blocks were\n", what,
            chunks_after / MIB);
    CHECK(0);
  }
  if (RSS_HOLDS_SHADOW) {
    fprintf(stderr, "%s: RSS not checked: under TSan it holds the shadow of the peak\n", what);
  } else if (after > base + BOUND) {
    fprintf(stderr, "%s: RSS stays %zu MiB above base\n", what, (after - base) / MIB);
    CHECK(0);
  }
}

static size_t thread_peak, thread_chunks_peak;
static void *thread_alloc_free(void *arg) {
  size_t count;
  node_t *list = alloc_small(*(size_t *)arg, 99, &count);
  thread_peak = (size_t)rss_bytes();
  thread_chunks_peak = chunks_resident();
  free_list(list);
  return NULL;
}

static node_t *handed;
static void *thread_alloc_only(void *arg) {
  size_t count;
  handed = alloc_small(*(size_t *)arg, 7, &count);
  return NULL;
}

/* Threads that allocate (every size range), check and free, then exit. */
#ifndef RACE_ROUNDS
#define RACE_ROUNDS 30
#endif
#define CHURN_THREADS 3
static void *churn(void *arg) {
  uint32_t rng = (uint32_t)(uintptr_t)arg;
  enum { K = 256 };
  unsigned char *keep[K] = {0};
  size_t len[K] = {0};
  for (int i = 0; i < 20000; i++) {
    uint32_t k = next_rand(&rng) % K;
    if (keep[k]) {
      CHECK_EQ(keep[k][0], (unsigned char)len[k]);
      CHECK_EQ(keep[k][len[k] - 1], (unsigned char)len[k]);
      T_FREE(keep[k]);
      keep[k] = NULL;
      continue;
    }
    size_t n = (i % 64 == 0) ? 70000 + next_rand(&rng) % 300000
                             : small_size(&rng) * (1 + next_rand(&rng) % 40);
    keep[k] = T_MALLOC(n);
    CHECK(keep[k] != NULL);
    memset(keep[k], (int)(n & 0xff), n);
    len[k] = n;
  }
  for (int k = 0; k < K; k++)
    T_FREE(keep[k]);
  return NULL;
}

/* malloc_trim and the statistics readers while threads come and go (their
 * heaps pooled at exit and adopted by the next ones). */
static void trim_while_threads_churn(void) {
  FILE *devnull = fopen("/dev/null", "w");
  CHECK(devnull != NULL);
  for (int round = 0; round < RACE_ROUNDS; round++) {
    pthread_t th[CHURN_THREADS];
    for (int i = 0; i < CHURN_THREADS; i++)
      CHECK_EQ(pthread_create(&th[i], NULL, churn, (void *)(uintptr_t)(round * 10 + i + 1)), 0);
    for (int i = 0; i < 10; i++) {
      T_MALLOC_TRIM(0);
      checked_stats();
      struct mallinfo2 mi = T_MALLINFO2();
      CHECK(mi.arena >= mi.uordblks);
      CHECK_EQ(T_MALLOC_INFO(0, devnull), 0);
      struct timespec ts = {0, 500 * 1000};
      nanosleep(&ts, NULL);
    }
    for (int i = 0; i < CHURN_THREADS; i++)
      CHECK_EQ(pthread_join(th[i], NULL), 0);
  }
  fclose(devnull);
  fprintf(stderr, "trim while threads churn: %d rounds of %d threads\n", RACE_ROUNDS,
          CHURN_THREADS);
}

int main(void) {
  fprintf(stderr, "trim_test: peak %zu MiB of small blocks (%s)\n", PEAK / MIB, T_API_NAME);
  /* Warm up: the allocator's own structures are part of the base. */
  size_t warm_count;
  free_list(alloc_small(4 * MIB, 1, &warm_count));
  T_MALLOC_TRIM(0);
  hak_stats_t s0 = checked_stats();
  size_t base = (size_t)rss_bytes();
  print_stats("base", &s0);

  /* 1. One thread peaks at PEAK and frees it all. */
  size_t count;
  chunks_reset();
  node_t *list = alloc_small(PEAK, 12345, &count);
  size_t peak = (size_t)rss_bytes(), chunks_peak = chunks_resident();
  hak_stats_t s1 = checked_stats();
  print_stats("peak", &s1);
  fprintf(stderr, "  %zu blocks\n", count);
  CHECK(peak >= base + PEAK * 9 / 10); /* the blocks were really there */
  CHECK(s1.bytes_in_use >= s0.bytes_in_use + PEAK - 16 * MIB);
  CHECK(s1.small_bytes_in_use >= s0.small_bytes_in_use + PEAK - 16 * MIB);
  CHECK(s1.bytes_in_use_peak >= s1.bytes_in_use);
  CHECK(s1.os_resident >= s0.os_resident + PEAK - 16 * MIB);
  CHECK(s1.os_mapped >= s1.os_resident);
  free_list(list);
  hak_stats_t s2 = checked_stats();
  print_stats("freed", &s2);
  /* Blocks in the thread's cache still count; it holds little. */
  CHECK(s2.bytes_in_use <= s0.bytes_in_use + 16 * MIB);
  CHECK(s2.bytes_in_use_peak >= s1.bytes_in_use);
  int trimmed = T_MALLOC_TRIM(0);
  hak_stats_t s3 = checked_stats();
  print_stats("trimmed", &s3);
  fprintf(stderr, "  malloc_trim(0) = %d\n", trimmed);
  CHECK(s3.bytes_in_use <= s0.bytes_in_use + 1 * MIB);
  CHECK(s3.os_resident <= s0.os_resident + BOUND);
  CHECK(s3.os_decommits + s3.os_unmaps > s1.os_decommits + s1.os_unmaps);
  check_back("one thread", base, peak, chunks_peak);

  /* 2. A thread peaks at PEAK / 4, frees it all and exits. */
  size_t quarter = PEAK / 4;
  pthread_t t;
  chunks_reset();
  CHECK_EQ(pthread_create(&t, NULL, thread_alloc_free, &quarter), 0);
  CHECK_EQ(pthread_join(t, NULL), 0);
  CHECK(thread_peak >= base + quarter * 9 / 10);
  T_MALLOC_TRIM(0);
  check_back("exited thread", base, thread_peak, thread_chunks_peak);

  /* 3. A thread allocates PEAK / 4 and exits; this thread frees the blocks. */
  chunks_reset();
  CHECK_EQ(pthread_create(&t, NULL, thread_alloc_only, &quarter), 0);
  CHECK_EQ(pthread_join(t, NULL), 0);
  peak = (size_t)rss_bytes();
  chunks_peak = chunks_resident();
  CHECK(peak >= base + quarter * 9 / 10);
  free_list(handed);
  T_MALLOC_TRIM(0);
  check_back("remote frees", base, peak, chunks_peak);

  /* 4. Large blocks: PEAK / 4 in 1 MiB blocks. */
  enum { LARGE_MAX = 1024 };
  static void *large[LARGE_MAX];
  size_t n_large = quarter / MIB;
  CHECK(n_large <= LARGE_MAX);
  chunks_reset();
  for (size_t i = 0; i < n_large; i++) {
    large[i] = T_MALLOC(MIB);
    CHECK(large[i] != NULL);
    memset(large[i], 1, MIB);
    note_block(large[i], MIB);
  }
  peak = (size_t)rss_bytes();
  chunks_peak = chunks_resident();
  for (size_t i = 0; i < n_large; i++)
    T_FREE(large[i]);
  T_MALLOC_TRIM(0);
  check_back("large blocks", base, peak, chunks_peak);

  /* 5. malloc_trim racing threads that come and go. */
  trim_while_threads_churn();

  /* 6. And the memory can be used again. */
  list = alloc_small(quarter, 3, &count);
  free_list(list);
  T_MALLOC_TRIM(0);
  hak_stats_t s4 = checked_stats();
  print_stats("end", &s4);
  CHECK(s4.bytes_in_use <= s0.bytes_in_use + 1 * MIB);
  fprintf(stderr, "trim_test: passed\n");
  return 0;
}
