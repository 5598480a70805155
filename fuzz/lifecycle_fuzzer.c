/* lifecycle: allocation interleaved with the events of a heap's life: thread
 * start and exit (the heap goes to the pool, the next thread adopts it), the
 * pre-warm on and off (HAKMEM_PREWARM_COUNT, set through the option the
 * environment would set, before each new thread), fork (the child allocates,
 * checks and frees the parent's blocks, trims and exits), purge and trim, the
 * purge delay at 0 and at its default, the background purger, the large cache
 * off or decaying at once.
 *
 * Input: three-byte operations: opcode, slot/argument, size selector. Checks:
 * every block as in alloc_ops; a new thread's cache holds the pre-warmed
 * blocks; a fork child sees the parent's blocks intact and exits cleanly; a
 * misuse in a child (double frees, an interior or foreign pointer, a freed
 * span reallocated) is
 * reported with one "hakmem: " line and aborts, never hangs or goes on (with
 * HAKMEM_ABORT_ON_ERROR=0, bad pointers to realloc and malloc_usable_size are
 * reported, refused and leave the block alone); at the
 * end the statistics are back where they began. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz/fuzz_common.h"
#include "hakmem/box/tls_cache.h"
#include "hakmem/core/options.h"

#define SLOTS          32
#define CHILD_WATCHDOG 10 /* seconds */

typedef struct {
  unsigned char *p;
  size_t n;
  unsigned char tag;
} block_t;

static block_t slot[SLOTS];
static hkf_iv_t iv[SLOTS];
static hkf_ivset_t live;
static int forks_left;
static int purger_due; /* waited once for the maintenance tick (op 9) */

static void put(block_t *b, size_t n, unsigned tag) {
  unsigned char *p = hak_malloc(n);
  hkf_iv_add(&live, p, hkf_check_block(p, n, HK_ALIGN, hkf_made_class(n, HK_ALIGN)));
  *b = (block_t){p, n, (unsigned char)tag};
  hkf_stamp(p, n, b->tag);
}

static void check(const block_t *b) {
  size_t bad = hkf_verify(b->p, b->n, b->tag);
  HKF_CHECK(bad == b->n, "fill pattern changed while the block was live", b->p + bad, b->n);
}

static void release(block_t *b) {
  if (!b->p)
    return;
  check(b);
  hkf_iv_del(&live, b->p);
  hak_free(b->p);
  b->p = NULL;
}

static void check_all(void) {
  for (unsigned i = 0; i < SLOTS; i++)
    if (slot[i].p)
      check(&slot[i]);
}

#if HAKMEM_PREWARM_TLS
/* Blocks in the calling thread's cache list of class c (at most limit). */
static uint32_t cached(unsigned c, uint32_t limit) {
  uint32_t k = 0;
  for (void *p = hk_tls.head[c]; p && k < limit; p = hk_next_load(p))
    k++;
  return k;
}
#endif

typedef struct {
  unsigned arg;
  size_t n;
} thread_arg_t;

/* A destructor that runs after hakmem's own at thread exit (its key is made
 * after hakmem's, and glibc runs them in key order): what it allocates comes
 * from a heap taken for the one call (hk_thread_alloc_late), a tiny block and a
 * span, checked and freed. */
static pthread_key_t late_key;
static void late_destructor(void *arg) {
  size_t sizes[2] = {(uintptr_t)arg % (HK_TINY_MAX + 1),
                     HK_SMALL_MAX + 1 + (uintptr_t)arg % (HK_SPAN_MAX - HK_SMALL_MAX)};
  for (unsigned i = 0; i < 2; i++) {
    void *p = hak_malloc(sizes[i]);
    hkf_check_block(p, sizes[i], HK_ALIGN, hkf_made_class(sizes[i], HK_ALIGN));
    hak_free(p);
  }
}
static void make_late_key(void) {
  if (pthread_key_create(&late_key, late_destructor) != 0)
    hkf_fail("pthread_key_create failed", NULL, 0);
}

/* A short-lived thread: its first allocation attaches (adopting a pooled heap
 * if there is one) and pre-warms; it leaves one block in the table for others
 * to free after it exited, and frees one left by an earlier thread. */
static void *short_thread(void *argp) {
  const thread_arg_t *a = argp;
  size_t n = a->n % (HK_TINY_MAX + 1);
  void *first = hak_malloc(n);
  hkf_check_block(first, n, HK_ALIGN, hkf_made_class(n, HK_ALIGN));
#if HAKMEM_PREWARM_TLS
  /* The pre-warm takes, per tiny class, at most the pre-warm count (capped by
   * the cache) of the blocks its heap's slabs hold without a new page; none
   * when the count is 0. Every class but the one just used shows it whole. */
  unsigned used = hk_size_class(n);
  for (unsigned c = 0; c < HK_TINY_CLASSES; c++) {
    uint32_t want = (uint32_t)hk_opt.prewarm_count;
    uint32_t cap = hk_cache_cap(c) - 1;
    if (want > cap)
      want = cap;
    if (c != used)
      HKF_CHECK(cached(c, want + 1) <= want, "a new thread's cache holds more than the pre-warm",
                NULL, c);
  }
#endif
  block_t *b = &slot[a->arg % SLOTS];
  release(b);
  put(b, a->n, a->arg);
  hak_free(first);
  if (a->arg & 0x40) { /* allocate again after hakmem's exit handler */
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, make_late_key);
    pthread_setspecific(late_key, (void *)(uintptr_t)(a->n | 1));
  }
  return NULL;
}

static void run_thread(unsigned arg, size_t n) {
  pthread_t th;
  thread_arg_t a = {arg, n};
  hk_opt.prewarm_count = (arg & 1) ? 0 : 1 + (long)(arg >> 1) % 64;
  if (pthread_create(&th, NULL, short_thread, &a) != 0)
    hkf_fail("pthread_create failed", NULL, 0);
  pthread_join(th, NULL);
}

static void *free_it(void *p) {
  hak_free(p);
  return NULL;
}

/* The child of a fork: the parent's blocks are intact and its own; it makes
 * and frees more, frees some of the parent's, trims and exits. */
/* Coverage builds (tools/fuzz_coverage.sh) write a child's profile before it
 * leaves with _exit. */
extern int __llvm_profile_write_file(void) __attribute__((weak));
static void child_exit(int code) {
  if (__llvm_profile_write_file)
    __llvm_profile_write_file();
  _exit(code);
}

/* ... and before it aborts, as a misuse child must. */
static void write_profile_and_abort(int sig) {
  __llvm_profile_write_file();
  signal(sig, SIG_DFL);
  raise(sig);
}

static void child(unsigned arg, size_t n) {
  alarm(CHILD_WATCHDOG);
  check_all();
  block_t mine[8];
  for (unsigned i = 0; i < 8; i++)
    put(&mine[i], hkf_size((unsigned)(n * 2654435761u >> (i * 3))), arg + i);
  for (unsigned i = arg % 3; i < SLOTS; i += 3)
    release(&slot[i]);
  hak_malloc_trim(0);
  check_all();
  for (unsigned i = 0; i < 8; i++)
    release(&mine[i]);
  /* The reports run in a child too (to /dev/null: the fuzzer's log is not
   * the place). */
  if (arg & 1) {
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0)
      dup2(null, 2);
    hak_malloc_stats();
  }
  child_exit(0);
}

/* A block freed from two threads neither of which owns it: the second free
 * is a double free that hakmem must report (abort), never a hang. */
static void child_remote_double_free(size_t n) {
  void *p = hak_malloc(n % (HK_TINY_MAX + 1));
  pthread_t th;
  for (int i = 0; i < 2; i++) {
    if (pthread_create(&th, NULL, free_it, p) != 0)
      _exit(3);
    pthread_join(th, NULL);
  }
  /* The owner collects its remote frees here. */
  for (int i = 0; i < 4096; i++)
    hak_free(hak_malloc(n % (HK_TINY_MAX + 1)));
  hak_malloc_trim(0);
  child_exit(0);
}

/* Misuse in a child, each of which hakmem must report with one "hakmem: "
 * line and abort, never hang or go on: 0 a block freed twice from two other
 * threads, 1 freed twice in a row and 2 an interior pointer
 * (checked in debug and hardened builds), 3 a foreign pointer, 4 a large block freed
 * twice, 5 a span freed twice, 6 a freed span reallocated (every build), 7 a
 * pointer inside a span (debug and hardened builds), 8 bad pointers to realloc and
 * malloc_usable_size with HAKMEM_ABORT_ON_ERROR=0 (every build). */
enum {
  MISUSE_REMOTE_DOUBLE_FREE,
  MISUSE_DOUBLE_FREE,
  MISUSE_INTERIOR,
  MISUSE_FOREIGN,
  MISUSE_LARGE_DOUBLE_FREE,
  MISUSE_SPAN_DOUBLE_FREE,
  MISUSE_SPAN_REALLOC_FREED,
  MISUSE_SPAN_INTERIOR,
  MISUSE_GOING_ON,
  MISUSES
};
static const char *const misuse_name[MISUSES] = {"a cross-thread double free",
                                                 "a double free",
                                                 "a free of an interior pointer",
                                                 "a free of a foreign pointer",
                                                 "a double free of a large block",
                                                 "a double free of a span",
                                                 "a realloc of a freed span",
                                                 "a free inside a span",
                                                 "bad pointers with HAKMEM_ABORT_ON_ERROR=0"};

/* Misuse with HAKMEM_ABORT_ON_ERROR=0, each reported and refused, every block
 * left as it was: realloc of a misaligned pointer, of one inside the SuperSlab
 * header and of a block whose header was overwritten gives NULL with EINVAL,
 * malloc_usable_size of those and of a foreign pointer 0; a block of an
 * aligned class freed twice is not handed out twice. Then the child aborts, as
 * a misuse child does; exit status 4 (not reported, to the parent) if one went
 * otherwise. */
static void child_going_on(size_t n) {
  hk_opt.abort_on_error = 0;
  size_t sz = 32 + n % HK_TINY_MAX;
  unsigned char *p = hak_malloc(sz);
  memset(p, 0x5a, sz);
  unsigned char *bad[] = {p + 8, (unsigned char *)hk_ss_of(p) + 64, p};
  /* The header is outside the block: ASan would stop its read and write.
   * Without the header (exactfit) the byte before p is another block's. */
  const int hdr_case = !HK_ASAN && HK_HDR;
  size_t nbad = hdr_case ? 3 : 2;
  unsigned char hdr = hdr_case ? p[-1] : 0;
  if (hdr_case)
    p[-1] = (unsigned char)~hdr;
  for (size_t i = 0; i < nbad; i++) {
    errno = 0;
    if (hak_realloc(bad[i], sz * 2) || errno != EINVAL || hak_usable_size(bad[i]) != 0)
      _exit(4);
  }
  if (hdr_case)
    p[-1] = hdr;
  if (hak_usable_size(&sz) != 0)
    _exit(4);
  for (size_t i = 0; i < sz; i++)
    if (p[i] != 0x5a)
      _exit(4);
  hak_free(p);
  /* An aligned-class double free in a row is seen (the slab's free list
   * starts with the block); without the header at all, exact power-of-two
   * classes serve the block (tests/aligned_test.c). */
  if (HK_HDR) {
    void *a = hak_aligned_alloc(4096, sz);
    hak_free(a);
    hak_free(a);
    void *a1 = hak_aligned_alloc(4096, sz), *a2 = hak_aligned_alloc(4096, sz);
    if (!a1 || a1 == a2)
      _exit(4);
  }
  abort();
}

static void child_misuse(int kind, size_t n) {
  static char foreign[64];
  void *p, *other;
  switch (kind) {
  case MISUSE_REMOTE_DOUBLE_FREE:
    child_remote_double_free(n);
    break;
  case MISUSE_DOUBLE_FREE:
    p = hak_malloc(n % (HK_TINY_MAX + 1));
    hak_free(p);
    hak_free(p);
    break;
  case MISUSE_INTERIOR:
    p = hak_malloc(32 + n % HK_TINY_MAX);
    hak_free((char *)p + 16);
    break;
  case MISUSE_FOREIGN:
    hak_free(foreign + 16);
    break;
  case MISUSE_LARGE_DOUBLE_FREE:
    p = hak_malloc(HK_SPAN_MAX + 1 + n % HK_SS_SIZE);
    hak_free(p);
    hak_free(p);
    break;
  case MISUSE_SPAN_DOUBLE_FREE:
  case MISUSE_SPAN_REALLOC_FREED:
    p = hak_malloc(HK_SMALL_MAX + 1 + n % (HK_SPAN_MAX - HK_SMALL_MAX));
    other = hak_malloc(HK_SMALL_MAX + 1); /* keeps the SuperSlab mapped */
    hak_free(p);
    if (kind == MISUSE_SPAN_DOUBLE_FREE)
      hak_free(p);
    else
      hak_free(hak_realloc(p, 1));
    hak_free(other);
    break;
  case MISUSE_SPAN_INTERIOR:
    p = hak_malloc(HK_SMALL_MAX + 1 + n % (HK_SPAN_MAX - HK_SMALL_MAX));
    hak_free((char *)p + 16);
    break;
  case MISUSE_GOING_ON:
    child_going_on(n);
    break;
  }
  child_exit(0);
}

/* misuse: -1 for a well-behaved child, else the misuse it commits. */
static void do_fork(int misuse, unsigned arg, size_t n) {
  if (forks_left-- <= 0)
    return;
  int err[2] = {-1, -1};
  if (misuse >= 0 && pipe2(err, O_NONBLOCK) != 0)
    hkf_fail("pipe failed", NULL, 0);
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0)
    hkf_fail("fork failed", NULL, 0);
  if (pid == 0) {
    /* The child's verdict is its exit status: libFuzzer's handlers are not
     * wanted there. */
    static const int sigs[] = {SIGALRM, SIGABRT, SIGINT, SIGTERM, SIGSEGV, SIGBUS};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
      signal(sigs[i], SIG_DFL);
    if (misuse >= 0) {
      if (__llvm_profile_write_file)
        signal(SIGABRT, write_profile_and_abort);
      /* An abort comes at once; a hang is what this catches. Not 3 s: on a
       * loaded machine a fork of this ASan process and two thread starts may
       * take that long (the likeliest cause of an artifact that passed alone). */
      alarm(CHILD_WATCHDOG);
      dup2(err[1], 2);
      child_misuse(misuse, n);
    }
    child(arg, n);
  }
  int status;
  pid_t got_pid;
  while ((got_pid = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
    ; /* libFuzzer's timers interrupt the wait */
  if (got_pid != pid)
    hkf_fail("waitpid failed", NULL, 0);
  if (misuse < 0) {
    HKF_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the fork child failed", NULL,
              (size_t)status);
    return;
  }
  char msg[256] = {0};
  close(err[1]);
  ssize_t got = read(err[0], msg, sizeof msg - 1);
  close(err[0]);
  (void)got;
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
    fprintf(stderr, "hakmem fuzz: %s hung instead of aborting\n", misuse_name[misuse]);
    hkf_fail("a misuse hung instead of aborting", NULL, (size_t)misuse);
  }
  if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT && strncmp(msg, "hakmem: ", 8) == 0)) {
    fprintf(stderr, "hakmem fuzz: %s was not reported (child status %d, said: %s)\n",
            misuse_name[misuse], status, msg);
    hkf_fail("a misuse was not reported", NULL, (size_t)misuse);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static hkf_usage_t base;
  static int have_base;
  static hk_options_t saved;
  if (!have_base) {
    hak_malloc_trim(0);
    hkf_usage(&base);
    saved = hk_opt;
    have_base = 1;
  }
  memset(slot, 0, sizeof slot);
  live = (hkf_ivset_t){iv, 0, SLOTS};
  forks_left = 2;
  hkf_in_t in = {data, data + size};
  while (hkf_more(&in)) {
    unsigned op = hkf_u8(&in) % 12, arg = hkf_u8(&in);
    size_t n = hkf_size(hkf_u8(&in) << 8 | arg);
    block_t *b = &slot[arg % SLOTS];
    switch (op) {
    case 0:
    case 1:
    case 2:
      release(b);
      put(b, n, arg ^ op);
      break;
    case 3:
      release(b);
      break;
    case 4:
    case 5:
      run_thread(arg, n);
      break;
    case 6:
      do_fork(-1, arg, n);
      break;
    case 7: /* purge now: the empty slabs' pages go back, live blocks stay */
      if (hk_tls.heap)
        hk_heap_purge(hk_tls.heap, HK_PURGE_ALL);
      check_all();
      break;
    case 8:
      hak_malloc_trim(0);
      check_all();
      break;
    case 9: /* purge at once on every release, or after the default delay; the
             * background purger; large mappings cached or not, decaying at once */
      hk_opt.purge_delay_ms = arg & 1 ? 0 : saved.purge_delay_ms;
      hk_opt.background_purge = arg & 2 ? 1 : saved.background_purge;
      hk_opt.large_decay_ms = arg & 4 ? 0 : saved.large_decay_ms;
      hk_opt.large_cache_bytes = arg & 8 ? 0 : saved.large_cache_bytes;
      if ((arg & 2) && !purger_due) { /* once: wait for a tick, whose slow path starts it */
        purger_due = 1;
        long ms = saved.purge_delay_ms < 100 ? saved.purge_delay_ms + 5 : 105;
        nanosleep(&(struct timespec){0, ms * 1000000}, NULL);
        hak_free(hak_malloc(HK_SPAN_MAX + 1));
      }
      break;
    case 10: { /* a misuse in a child (child_misuse) */
      int kind = (int)(arg & 15);
      if (kind >= MISUSES ||
          (HAKMEM_BUILD_RELEASE && !HAKMEM_HARDENED &&
           (kind == MISUSE_DOUBLE_FREE || kind == MISUSE_INTERIOR || kind == MISUSE_SPAN_INTERIOR)))
        break;
      do_fork(kind, arg, n);
      break;
    }
    case 11: /* a burst past the class's cache cap: spill, then refill */
      for (unsigned k = 0; k < 2; k++) {
        void *tmp[64];
        size_t sz = n % (HK_SMALL_MAX + 1);
        for (unsigned i = 0; i < 64; i++)
          tmp[i] = hak_malloc(sz);
        for (unsigned i = 0; i < 64; i++)
          hak_free(tmp[i]);
      }
      break;
    }
  }
  for (unsigned i = 0; i < SLOTS; i++)
    release(&slot[i]);
  hk_opt = saved;
  hak_malloc_trim(0);
  hkf_usage_t now;
  hkf_usage(&now);
  hkf_usage_same(&base, &now);
  /* This thread's heap and one for the short-lived threads, which adopt it in
   * turn: a heap per thread would be orphaned heaps. */
  HKF_CHECK(now.heaps <= 2, "more heaps than threads alive at once (orphaned heaps)", NULL,
            (size_t)now.heaps);
  return 0;
}
