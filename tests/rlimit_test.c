/* Running out of address space: with RLIMIT_AS at the current VmSize + 256 MiB,
 * allocation until failure (large, mid and small blocks, and every other entry
 * point at the limit) gives NULL with errno = ENOMEM and never crashes; a thread
 * whose first allocation comes at the limit gets NULL + ENOMEM or a good block;
 * once everything is freed, allocation works again.
 *
 * Skipped under the sanitizers: ASan and TSan reserve terabytes of shadow
 * memory, which RLIMIT_AS breaks. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "tests/check.h"
#include "tests/entry_points.h"

#define KIB      ((size_t)1 << 10)
#define MIB      ((size_t)1 << 20)
#define HEADROOM (256 * MIB)

#ifdef HK_TEST_SANITIZER
int main(void) {
  printf("rlimit_test: skipped: the sanitizers' shadow memory does not fit under RLIMIT_AS\n");
  return 0;
}
#else

static size_t vm_size(void) {
  FILE *f = fopen("/proc/self/status", "r");
  CHECK(f != NULL);
  char line[256];
  size_t kib = 0;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "VmSize: %zu kB", &kib) == 1)
      break;
  fclose(f);
  CHECK(kib > 0);
  return kib * KIB;
}

/* Blocks are kept on a list threaded through their first word, so that the
 * test itself needs no memory at the limit. */
typedef struct node {
  struct node *next;
  size_t size;
  uint64_t check;
} node_t;

static node_t *push(node_t *head, void *p, size_t n) {
  node_t *b = p;
  b->next = head;
  b->size = n;
  b->check = (uint64_t)(uintptr_t)p ^ n ^ 0x9e3779b97f4a7c15ULL;
  if (n > 4096)
    ((unsigned char *)p)[n - 1] = (unsigned char)n; /* touch the far end */
  return b;
}

static size_t free_all(node_t *head) {
  size_t count = 0;
  while (head) {
    node_t *next = head->next;
    CHECK_EQ(head->check, (uint64_t)(uintptr_t)head ^ head->size ^ 0x9e3779b97f4a7c15ULL);
    if (head->size > 4096)
      CHECK_EQ(((unsigned char *)head)[head->size - 1], (unsigned char)head->size);
    T_FREE(head);
    head = next;
    count++;
  }
  return count;
}

/* Allocates blocks of n bytes until one fails; the failure must be NULL with
 * ENOMEM. Stops (and fails) after `cap` bytes: the limit must bite first. */
static node_t *exhaust(node_t *head, size_t n, const char *what, size_t *count) {
  size_t got = 0, cap = 2 * HEADROOM;
  for (;;) {
    errno = 0;
    void *p = T_MALLOC(n);
    if (!p) {
      if (errno != ENOMEM) {
        fprintf(stderr, "%s: malloc(%zu) failed with errno %d, want ENOMEM\n", what, n, errno);
        CHECK(0);
      }
      break;
    }
    CHECK((uintptr_t)p % 16 == 0);
    head = push(head, p, n);
    got += n;
    if (got > cap) {
      fprintf(stderr, "%s: %zu bytes allocated under a %zu MiB headroom\n", what, got,
              HEADROOM >> 20);
      CHECK(0);
    }
  }
  *count = got / n;
  fprintf(stderr, "%s: %zu blocks of %zu bytes before ENOMEM\n", what, got / n, n);
  return head;
}

/* Hides a pointer from the compiler's use-after-realloc analysis: the realloc
 * calls below fail, and the block stays valid. */
static void *hide(void *p) {
  void *volatile v = p;
  return v;
}

static void expect_enomem(void *p, const char *what) {
  if (p != NULL || errno != ENOMEM) {
    fprintf(stderr, "%s at the limit: %p errno %d, want NULL and ENOMEM\n", what, p, errno);
    CHECK(0);
  }
}

/* Every other entry point at the limit. `victim` is a live large block. */
static void at_the_limit(node_t *victim) {
  errno = 0;
  expect_enomem(T_MALLOC(64 * MIB), "malloc(64 MiB)");
  errno = 0;
  expect_enomem(T_CALLOC(1, 64 * MIB), "calloc(1, 64 MiB)");
  errno = 0;
  expect_enomem(T_CALLOC(64 * KIB, 1024), "calloc(64 Ki, 1 KiB)");
  errno = 0;
  expect_enomem(T_ALIGNED_ALLOC(4 * MIB, 32 * MIB), "aligned_alloc(4 MiB, 32 MiB)");
  errno = 0;
  expect_enomem(T_MEMALIGN(64, 64 * MIB), "memalign(64, 64 MiB)");
  errno = 0;
  expect_enomem(T_VALLOC(64 * MIB), "valloc(64 MiB)");
  errno = 0;
  expect_enomem(T_PVALLOC(64 * MIB), "pvalloc(64 MiB)");
  void *out = (void *)(uintptr_t)0x4321;
  int rc = T_POSIX_MEMALIGN(&out, 4096, 64 * MIB);
  if (rc != ENOMEM || out != (void *)(uintptr_t)0x4321) {
    fprintf(stderr, "posix_memalign at the limit: %d, out %p; want ENOMEM, out untouched\n", rc,
            out);
    CHECK(0);
  }
  /* A failed realloc leaves the block as it was. */
  size_t n = victim->size;
  errno = 0;
  expect_enomem(T_REALLOC(hide(victim), n + 128 * MIB), "realloc(large, +128 MiB)");
  errno = 0;
  expect_enomem(T_REALLOCARRAY(hide(victim), 2, n + 64 * MIB), "reallocarray(large)");
  CHECK_EQ(victim->size, n);
  CHECK_EQ(victim->check, (uint64_t)(uintptr_t)victim ^ n ^ 0x9e3779b97f4a7c15ULL);
  CHECK_EQ(((unsigned char *)victim)[n - 1], (unsigned char)n);
}

static pthread_barrier_t go, done;
static int late_ok, late_nomem;

/* A thread whose first allocations come at the limit. */
static void *late_thread(void *arg) {
  (void)arg;
  pthread_barrier_wait(&go);
  static const size_t sizes[] = {16, 100, 1000, 5000, 30000, 100000, 16 * MIB};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    errno = 0;
    void *p = T_MALLOC(sizes[i]);
    if (p) {
      memset(p, 1, sizes[i]);
      T_FREE(p);
      late_ok++;
    } else {
      if (errno != ENOMEM) {
        fprintf(stderr, "late thread: malloc(%zu) = NULL with errno %d\n", sizes[i], errno);
        CHECK(0);
      }
      late_nomem++;
    }
  }
  pthread_barrier_wait(&done);
  return NULL;
}

/* After everything is freed, allocation works again. */
static void works_again(const char *after) {
  node_t *list = NULL;
  for (int i = 0; i < 8; i++) {
    void *p = T_MALLOC(16 * MIB);
    if (!p) {
      fprintf(stderr, "after %s: malloc(16 MiB) #%d failed (errno %d)\n", after, i, errno);
      CHECK(0);
    }
    list = push(list, p, 16 * MIB);
  }
  for (int i = 0; i < 20000; i++) {
    size_t n = 24 + (size_t)(i % 64) * 100; /* 64 MB in all */
    void *p = T_MALLOC(n);
    if (!p) {
      fprintf(stderr, "after %s: malloc(%zu) failed (errno %d)\n", after, n, errno);
      CHECK(0);
    }
    list = push(list, p, n);
  }
  free_all(list);
}

int main(void) {
  /* Warm up every size range, so that the allocator's own set-up is done. */
  for (size_t n = 16; n < 4 * MIB; n *= 2) {
    void *p = T_MALLOC(n);
    CHECK(p != NULL);
    T_FREE(p);
  }
  pthread_t late;
  CHECK_EQ(pthread_barrier_init(&go, NULL, 2), 0);
  CHECK_EQ(pthread_barrier_init(&done, NULL, 2), 0);
  CHECK_EQ(pthread_create(&late, NULL, late_thread, NULL), 0);

  size_t vm = vm_size();
  struct rlimit old, lim;
  CHECK_EQ(getrlimit(RLIMIT_AS, &old), 0);
  lim.rlim_cur = vm + HEADROOM;
  lim.rlim_max = old.rlim_max;
  CHECK_EQ(setrlimit(RLIMIT_AS, &lim), 0);
  fprintf(stderr, "rlimit_test: VmSize %zu MiB, RLIMIT_AS %zu MiB (%s)\n", vm >> 20,
          (size_t)lim.rlim_cur >> 20, T_API_NAME);

  /* 1. Large blocks until the limit, then mid and small ones in what is left. */
  size_t large = 0, mid = 0, small = 0;
  node_t *list = exhaust(NULL, 16 * MIB, "large", &large);
  CHECK(large >= 4); /* the headroom holds several */
  node_t *victim = list;
  at_the_limit(victim);
  list = exhaust(list, 1 * MIB, "large (1 MiB)", &large);
  list = exhaust(list, 16 * KIB, "mid", &mid);
  list = exhaust(list, 64, "small", &small);
  at_the_limit(victim);

  /* 2. A new thread's first allocations at the limit. */
  pthread_barrier_wait(&go);
  pthread_barrier_wait(&done);
  CHECK_EQ(pthread_join(late, NULL), 0);
  fprintf(stderr, "late thread at the limit: %d allocations served, %d ENOMEM\n", late_ok,
          late_nomem);

  /* 3. Free everything: allocation works again. */
  free_all(list);
  works_again("freeing large-first exhaustion");

  /* 4. Small blocks first, until the limit; free them: small and mid blocks
   * work again. */
  list = exhaust(NULL, 48, "small first", &small);
  CHECK(small * 48 >= HEADROOM / 4);
  errno = 0;
  expect_enomem(T_MALLOC(64 * MIB), "malloc(64 MiB) after small exhaustion");
  free_all(list);
  list = NULL;
  for (int i = 0; i < 8000; i++) {
    size_t n = 24 + (size_t)(i % 200) * 150; /* 120 MB in all, up to 30 KB each */
    void *p = T_MALLOC(n);
    if (!p) {
      fprintf(stderr, "after small exhaustion and free: malloc(%zu) #%d failed (errno %d)\n", n, i,
              errno);
      CHECK(0);
    }
    list = push(list, p, n);
  }
  free_all(list);
  T_MALLOC_TRIM(0);
  void *big = T_MALLOC(16 * MIB);
  fprintf(stderr, "after small exhaustion, free and malloc_trim: malloc(16 MiB) %s\n",
          big ? "works" : "fails (the small blocks' memory is still mapped)");
  T_FREE(big);

  /* 5. Limit lifted: everything works. */
  CHECK_EQ(setrlimit(RLIMIT_AS, &old), 0);
  works_again("lifting the limit");
  pthread_barrier_destroy(&go);
  pthread_barrier_destroy(&done);
  fprintf(stderr, "rlimit_test: passed\n");
  return 0;
}
#endif
