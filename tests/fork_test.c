/* fork with threads running: worker threads allocate, free and hand blocks to
 * each other while the main thread forks FORKS times. Each child at once
 * allocates and frees blocks of every size range (realloc across ranges too),
 * frees blocks the parent's threads left in the hand-over slots, trims, and
 * exits (one worker trims now and then, and threads start and exit all along,
 * so forks land inside trims and thread exits too). A
 * child that deadlocks is killed by its alarm() watchdog and fails the test.
 *
 * Default config: malloc & co. through the override; sanitizer configs: hak_*. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/check.h"
#include "tests/entry_points.h"

#ifndef FORKS
#define FORKS 50
#endif
#define WORKERS        3
#define SLOTS          64
#define LOCAL          48
#define CHILD_WATCHDOG 20 /* seconds */
#define MIB            ((size_t)1 << 20)

/* A block starts with its size and seed; its first 2 KiB and last 64 bytes
 * carry a pattern of the seed (all of it for small blocks). */
typedef struct tag {
  size_t size;
  uint32_t seed;
  uint32_t check;
} tag_t;

static void stamp(void *p, size_t n, uint32_t seed) {
  tag_t *t = p;
  t->size = n;
  t->seed = seed;
  t->check = seed ^ 0x5a5a5a5au;
  unsigned char *c = p;
  for (size_t i = sizeof(tag_t); i < n; i++) {
    if (i == 2048 && n > 2048 + 64)
      i = n - 64;
    c[i] = (unsigned char)(seed + i);
  }
}

/* The pattern holds over the first `limit` bytes (a realloc may have shrunk it). */
static int intact_upto(const void *p, size_t limit) {
  const tag_t *t = p;
  if (t->check != (t->seed ^ 0x5a5a5a5au))
    return 0;
  const unsigned char *c = p;
  size_t n = t->size < limit ? t->size : limit;
  for (size_t i = sizeof(tag_t); i < n; i++) {
    if (i == 2048 && t->size > 2048 + 64)
      i = t->size - 64;
    if (i < n && c[i] != (unsigned char)(t->seed + i))
      return 0;
  }
  return 1;
}

static int intact(const void *p) { return intact_upto(p, SIZE_MAX); }

static uint32_t next_rand(uint32_t *s) {
  *s = *s * 1664525u + 1013904223u;
  return *s >> 8;
}

/* Mostly tiny, some mid, a few large (which map and unmap). */
static size_t pick_size(uint32_t *rng) {
  uint32_t r = next_rand(rng);
  switch (r % 16) {
  case 0:
    return 40000 + r % (600 * 1024);
  case 1:
  case 2:
  case 3:
    return 1025 + r % (31 * 1024);
  default:
    return sizeof(tag_t) + r % 1000;
  }
}

static atomic_int stop;
static _Atomic(uintptr_t) slots[SLOTS];
static atomic_long worker_ops[WORKERS];

static void *worker(void *arg) {
  int id = (int)(intptr_t)arg;
  uint32_t rng = 12345u + (uint32_t)id * 7919u;
  void *local[LOCAL] = {0};
  long ops = 0;
  while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
    uint32_t r = next_rand(&rng);
    int i = (int)(r % LOCAL);
    if (local[i]) {
      CHECK(intact(local[i]));
      if (r % 7 == 0) {
        /* realloc to another size range keeps the data. */
        size_t n = pick_size(&rng);
        tag_t *t = local[i];
        size_t old = t->size;
        unsigned char *q = T_REALLOC(local[i], n);
        CHECK(q != NULL);
        CHECK(((tag_t *)q)->size == old);
        CHECK(intact_upto(q, n));
        stamp(q, n, r);
        local[i] = q;
        continue;
      }
      T_FREE(local[i]);
      local[i] = NULL;
    } else {
      size_t n = pick_size(&rng);
      void *p = (r % 5 == 0) ? T_CALLOC(1, n) : T_MALLOC(n);
      CHECK(p != NULL);
      stamp(p, n, r);
      if (r % 3 == 0) {
        /* Hand it over; free what another thread left there. */
        uintptr_t old =
            atomic_exchange_explicit(&slots[r % SLOTS], (uintptr_t)p, memory_order_acq_rel);
        if (old) {
          CHECK(intact((void *)old));
          T_FREE((void *)old);
        }
      } else {
        local[i] = p;
      }
    }
    ops++;
    if (id == 0 && (ops & 255) == 0)
      T_MALLOC_TRIM(0); /* fork may come in the middle of a trim */
    if ((ops & 1023) == 0)
      atomic_store_explicit(&worker_ops[id], ops, memory_order_relaxed);
  }
  for (int i = 0; i < LOCAL; i++) {
    if (local[i]) {
      CHECK(intact(local[i]));
      T_FREE(local[i]);
    }
  }
  atomic_store_explicit(&worker_ops[id], ops, memory_order_relaxed);
  return NULL;
}

/* Short-lived threads: each allocates, frees some, leaves some to the next
 * (freed remotely), and exits, so forks also land in thread start and exit. */
static atomic_long threads_made;

static void *short_lived(void *arg) {
  void **carry = arg;
  uint32_t rng = (uint32_t)atomic_load(&threads_made) * 2654435761u;
  void *mine[32];
  for (int i = 0; i < 32; i++) {
    size_t n = pick_size(&rng);
    mine[i] = T_MALLOC(n);
    CHECK(mine[i] != NULL);
    stamp(mine[i], n, (uint32_t)i);
  }
  for (int i = 0; i < 32; i++) {
    CHECK(intact(mine[i]));
    if (i < 28)
      T_FREE(mine[i]);
  }
  for (int i = 0; i < 4; i++) {
    if (carry[i]) {
      CHECK(intact(carry[i]));
      T_FREE(carry[i]);
    }
    carry[i] = mine[28 + i];
  }
  return NULL;
}

static void *spawner(void *arg) {
  (void)arg;
  void *carry[4] = {0};
  while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, short_lived, carry), 0);
    CHECK_EQ(pthread_join(t, NULL), 0);
    atomic_fetch_add(&threads_made, 1);
  }
  for (int i = 0; i < 4; i++)
    T_FREE(carry[i]);
  return NULL;
}

static volatile sig_atomic_t in_child;

static void on_alarm(int sig) {
  (void)sig;
  static const char child_msg[] = "fork_test: child watchdog fired: deadlock after fork\n";
  static const char parent_msg[] = "fork_test: parent watchdog fired\n";
  if (in_child)
    (void)!write(2, child_msg, sizeof child_msg - 1);
  else
    (void)!write(2, parent_msg, sizeof parent_msg - 1);
  _exit(3);
}

static void child_check(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "fork_test child %d: %s\n", (int)getpid(), what);
    _exit(4);
  }
}

/* The child: allocate at once, in every size range, from every entry point. */
static void child_work(int round) {
  static const size_t sizes[] = {8,     16,    100,   1000,  1024,   1025,   4000,
                                 20000, 32768, 32769, 40000, 300000, 3 << 20};
  enum { NS = sizeof sizes / sizeof sizes[0] };
  void *p[NS];
  for (int i = 0; i < NS; i++) {
    size_t n = sizes[i] < sizeof(tag_t) ? sizeof(tag_t) : sizes[i];
    p[i] = T_MALLOC(n);
    child_check(p[i] != NULL, "malloc failed");
    stamp(p[i], n, (uint32_t)(round * 100 + i));
  }
  for (int i = 0; i < NS; i++) {
    child_check(intact(p[i]), "block corrupted");
    T_FREE(p[i]);
  }
  /* Cross-size: one block realloc'd through tiny, mid, large and back. */
  size_t n = sizeof(tag_t);
  void *q = T_MALLOC(n);
  child_check(q != NULL, "malloc failed");
  stamp(q, n, 77);
  static const size_t chain[] = {500, 3000, 30000, 70000, 2 << 20, 20000, 900, 24};
  for (size_t i = 0; i < sizeof chain / sizeof chain[0]; i++) {
    q = T_REALLOC(q, chain[i]);
    child_check(q != NULL && intact_upto(q, chain[i]), "realloc lost data");
    stamp(q, chain[i], (uint32_t)(78 + i));
  }
  T_FREE(q);
  /* calloc, aligned blocks. */
  for (int i = 0; i < NS; i++) {
    unsigned char *z = T_CALLOC(1, sizes[i]);
    child_check(z != NULL, "calloc failed");
    for (size_t k = 0; k < sizes[i]; k++)
      child_check(z[k] == 0, "calloc not zero");
    T_FREE(z);
    void *a = T_ALIGNED_ALLOC((size_t)64 << (i % 8), sizes[i]);
    child_check(a != NULL && (uintptr_t)a % ((size_t)64 << (i % 8)) == 0, "aligned_alloc");
    memset(a, 1, sizes[i]);
    T_FREE(a);
  }
  /* Enough blocks to need refills and fresh slabs in the child. */
  enum { MANY = 1500 };
  static void *many[MANY];
  uint32_t rng = (uint32_t)round;
  for (int i = 0; i < MANY; i++) {
    size_t m = pick_size(&rng);
    many[i] = T_MALLOC(m);
    child_check(many[i] != NULL, "malloc failed");
    stamp(many[i], m, (uint32_t)i);
  }
  for (int i = 0; i < MANY; i++) {
    child_check(intact(many[i]), "block corrupted");
    T_FREE(many[i]);
  }
  /* Blocks the parent's threads handed over: their owners do not exist here. */
  for (int i = 0; i < SLOTS; i++) {
    uintptr_t b = atomic_exchange(&slots[i], 0);
    if (b) {
      child_check(intact((void *)b), "handed-over block corrupted");
      T_FREE((void *)b);
    }
  }
  child_check(T_MALLOC_TRIM(0) >= 0, "malloc_trim");
  hak_stats_t st = {.size = sizeof st};
  child_check(hak_stats_get(&st) == 0 && st.os_resident <= st.os_mapped, "hak_stats_get");
  void *last = T_MALLOC(100);
  child_check(last != NULL, "malloc after frees failed");
  T_FREE(last);
}

#ifndef HK_TEST_SANITIZER
static void *child_thread(void *arg) {
  child_work((int)(intptr_t)arg + 1000);
  return NULL;
}
#endif

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  CHECK_EQ(sigaction(SIGALRM, &sa, NULL), 0);
  alarm(240);

  pthread_t th[WORKERS], spawn;
  for (int i = 0; i < WORKERS; i++)
    CHECK_EQ(pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i), 0);
  CHECK_EQ(pthread_create(&spawn, NULL, spawner, NULL), 0);

  for (int f = 0; f < FORKS; f++) {
    /* Let the workers get going (and into the slow paths) between forks. */
    struct timespec ts = {0, 2 * 1000 * 1000};
    nanosleep(&ts, NULL);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
      in_child = 1;
      alarm(CHILD_WATCHDOG);
      child_work(f);
#ifndef HK_TEST_SANITIZER
      /* A new thread in the child needs a heap of its own. (TSan does not
       * support starting threads after a multi-threaded fork.) */
      if (f % 5 == 0) {
        pthread_t t;
        child_check(pthread_create(&t, NULL, child_thread, (void *)(intptr_t)f) == 0,
                    "pthread_create in the child");
        child_check(pthread_join(t, NULL) == 0, "pthread_join in the child");
      }
#endif
#ifndef HK_TEST_SANITIZER
      /* Run the exit handlers too. Not under sanitizers: LeakSanitizer's check at exit
       * tries to stop the parent's threads, which the child does not have, and can hang. */
      if (f % 10 == 9)
        exit(0);
#endif
      _exit(0);
    }
    int status = 0;
    pid_t w;
    do
      w = waitpid(pid, &status, 0);
    while (w < 0 && errno == EINTR);
    CHECK_EQ(w, pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      if (WIFSIGNALED(status))
        fprintf(stderr, "fork %d: child killed by signal %d\n", f, WTERMSIG(status));
      else
        fprintf(stderr, "fork %d: child exited with %d\n", f, WEXITSTATUS(status));
      CHECK(0);
    }
    /* The parent allocates at once too. */
    void *p = T_MALLOC(1000);
    CHECK(p != NULL);
    T_FREE(p);
  }

  atomic_store(&stop, 1);
  CHECK_EQ(pthread_join(spawn, NULL), 0);
  CHECK(atomic_load(&threads_made) > 0);
  long total = 0;
  for (int i = 0; i < WORKERS; i++) {
    CHECK_EQ(pthread_join(th[i], NULL), 0);
    long ops = atomic_load(&worker_ops[i]);
    CHECK(ops > 0);
    total += ops;
  }
  for (int i = 0; i < SLOTS; i++) {
    uintptr_t b = atomic_exchange(&slots[i], 0);
    if (b) {
      CHECK(intact((void *)b));
      T_FREE((void *)b);
    }
  }
  alarm(0);
  fprintf(stderr, "fork_test: %d forks, %ld worker operations, %ld short-lived threads (%s)\n",
          FORKS, total, atomic_load(&threads_made), T_API_NAME);
  return 0;
}
