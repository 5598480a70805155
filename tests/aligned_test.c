/* Aligned requests share slabs and spans: 2,000 posix_memalign(8192, 16) add at
 * most 64 MiB of address space and 16 mappings; 2,000 posix_memalign(64, 100000)
 * at most 16 mappings and no more address space than 2,000 malloc(100000).
 * Every block is aligned, has the usable size asked for, and frees; then the
 * alignments 32 B .. 64 KiB at sizes 1 B .. 1 MiB do the same.
 *
 * Built with -DALIGNED_HAK (aligned_test) it calls the hak_* API; without it
 * (aligned_footprint) the system's functions, so any malloc can be put under it
 * with LD_PRELOAD:
 *   aligned_footprint            prints the address space and mappings each row adds */
#define _GNU_SOURCE
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/check.h"
#include "tests/statm.h"

#ifdef ALIGNED_HAK
#include "hakmem/hakmem.h"
#define MEMALIGN    hak_posix_memalign
#define MALLOC      hak_malloc
#define FREE        hak_free
#define USABLE_SIZE hak_usable_size
#else
#define MEMALIGN    posix_memalign
#define MALLOC      malloc
#define FREE        free
#define USABLE_SIZE malloc_usable_size
#endif

#define N   2000
#define MiB ((size_t)1 << 20)

static void *blocks[N];

/* Mappings (lines of /proc/self/maps), read without allocating. */
static long count_maps(void) {
  static char buf[1 << 16];
  int fd = open("/proc/self/maps", O_RDONLY);
  CHECK(fd >= 0);
  long lines = 0;
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0)
    for (ssize_t i = 0; i < n; i++)
      lines += buf[i] == '\n';
  close(fd);
  return lines;
}

typedef struct {
  size_t space;
  long maps;
} footprint_t;

/* N blocks of `size` (aligned to `align`, or plain malloc if align is 0), each
 * checked and written; what they added; then all freed. Runs in a child so
 * that each row starts from the same state; the result comes back in a pipe. */
static footprint_t row(size_t align, size_t size) {
  int fds[2];
  CHECK(pipe(fds) == 0);
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    footprint_t before = {(size_t)vm_bytes(), count_maps()};
    for (int i = 0; i < N; i++) {
      if (align) {
        CHECK(MEMALIGN(&blocks[i], align, size) == 0);
        CHECK(((uintptr_t)blocks[i] & (align - 1)) == 0);
      } else {
        CHECK((blocks[i] = MALLOC(size)) != NULL);
      }
      CHECK(USABLE_SIZE(blocks[i]) >= size);
      memset(blocks[i], 0xa5, size);
    }
    footprint_t after = {(size_t)vm_bytes(), count_maps()};
    for (int i = 0; i < N; i++)
      FREE(blocks[i]);
    footprint_t added = {after.space - before.space, after.maps - before.maps};
    CHECK(write(fds[1], &added, sizeof added) == (ssize_t)sizeof added);
    _exit(0);
  }
  close(fds[1]);
  footprint_t added;
  CHECK(read(fds[0], &added, sizeof added) == (ssize_t)sizeof added);
  close(fds[0]);
  int status;
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  return added;
}

static footprint_t report(size_t align, size_t size) {
  footprint_t f = row(align, size);
  char call[64];
  if (align)
    snprintf(call, sizeof call, "posix_memalign(%zu, %zu)", align, size);
  else
    snprintf(call, sizeof call, "malloc(%zu)", size);
  printf("%d x %s: %.1f MiB of address space, %ld mappings\n", N, call,
         (double)f.space / (double)MiB, f.maps);
  return f;
}

/* A request of its alignment's size, 64 B .. 32 KiB (posix_memalign(4096, 4096),
 * aligned_alloc(64, 64)), takes a slot of that size: the aligned class of that
 * stride, whose blocks have no header byte (size_class.h, HK_ALIGNED_HDR) but
 * in hardened builds, where the next stride holds it (without the header at
 * all, the exact class of that stride). Before, every build with the header
 * took the next stride: 8 KiB for 4 KiB. */
static void exact_fit(void) {
  enum { LIVE = 64 };
  for (size_t align = 64; align <= 32 * 1024; align *= 2) {
    void *p[LIVE];
    size_t closest = SIZE_MAX;
    for (int k = 0; k < LIVE; k++) {
      CHECK(MEMALIGN(&p[k], align, align) == 0);
      CHECK(((uintptr_t)p[k] & (align - 1)) == 0);
      memset(p[k], k, align);
      for (int j = 0; j < k; j++) {
        size_t d = p[k] > p[j] ? (size_t)((char *)p[k] - (char *)p[j])
                               : (size_t)((char *)p[j] - (char *)p[k]);
        closest = d < closest ? d : closest;
      }
    }
#ifdef ALIGNED_CLASS_HEADER
    CHECK(USABLE_SIZE(p[0]) >= align && closest >= 2 * align);
#else
    CHECK_EQ(USABLE_SIZE(p[0]), align);
    CHECK_EQ(closest, align);
#endif
    for (int k = 0; k < LIVE; k++) {
      CHECK(((unsigned char *)p[k])[align - 1] == k);
      FREE(p[k]);
    }
  }
}

/* Every power-of-two alignment up to 64 KiB at sizes around the class and span
 * boundaries, a few blocks live at once, freed in another order. */
static void sweep(void) {
  static const size_t sizes[] = {1,     15,    16,     17,     100,    1000,    1023,   1024,
                                 2000,  4000,  8191,   8192,   10000,  32767,   32768,  65535,
                                 65536, 70000, 100000, 262144, 500000, 1000000, 1048576};
  enum { LIVE = 7 };
  for (size_t align = 2 * sizeof(void *); align <= 64 * 1024; align *= 2) {
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
      void *p[LIVE];
      for (int k = 0; k < LIVE; k++) {
        CHECK(MEMALIGN(&p[k], align, sizes[i]) == 0);
        CHECK(((uintptr_t)p[k] & (align - 1)) == 0);
        CHECK(USABLE_SIZE(p[k]) >= sizes[i]);
        memset(p[k], k, sizes[i]);
      }
      for (int k = 0; k < LIVE; k++) {
        int j = (k * 3) % LIVE;
        CHECK(((unsigned char *)p[j])[sizes[i] - 1] == j);
        FREE(p[j]);
      }
    }
  }
}

static void *free_all(void *arg) {
  void **p = arg;
  for (int i = 0; i < 64; i++)
    FREE(p[i]);
  return NULL;
}

/* Aligned blocks of every kind freed by another thread go back to their slabs
 * and spans, and are handed out again. */
static void remote_frees(void) {
  static const size_t kinds[][2] = {
      {64, 100}, {8192, 16}, {32768, 20000}, {65536, 100}, {4096, 500000}};
  for (int round = 0; round < 3; round++)
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
      void *p[64];
      for (int i = 0; i < 64; i++) {
        CHECK(MEMALIGN(&p[i], kinds[k][0], kinds[k][1]) == 0);
        CHECK(((uintptr_t)p[i] & (kinds[k][0] - 1)) == 0);
        memset(p[i], i, kinds[k][1]);
      }
      pthread_t t;
      CHECK(pthread_create(&t, NULL, free_all, p) == 0);
      CHECK(pthread_join(t, NULL) == 0);
    }
}

#ifdef ALIGNED_HAK
/* A block of an aligned class freed twice in a row aborts naming it, in every
 * build (its slab's free list would loop otherwise). */
static void double_free(void) {
  int fds[2];
  CHECK(pipe(fds) == 0);
  void *keep, *p;
  CHECK(MEMALIGN(&keep, 8192, 16) == 0); /* the slab stays in use */
  CHECK(MEMALIGN(&p, 8192, 16) == 0);
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    dup2(fds[1], 2);
    FREE(p);
    FREE(p);
    _exit(0);
  }
  close(fds[1]);
  char out[512] = "", want[64];
  size_t len = 0;
  ssize_t n;
  while (len < sizeof out - 1 && (n = read(fds[0], out + len, sizeof out - 1 - len)) > 0)
    len += (size_t)n;
  out[len] = 0;
  close(fds[0]);
  int status;
  CHECK(waitpid(pid, &status, 0) == pid);
  snprintf(want, sizeof want, "hakmem: double free of %p", p); /* hk_misuse's line */
  if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT || !strstr(out, want)) {
    fprintf(stderr, "expected SIGABRT and \"%s\", got status %#x and: %s\n", want, status, out);
    CHECK(0);
  }
  FREE(p);
  FREE(keep);
}
#endif

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  FREE(MALLOC(1)); /* initialise before measuring */
  footprint_t small = report(8192, 16);
  footprint_t mid = report(64, 100000);
  footprint_t plain = report(0, 100000);
#ifdef ALIGNED_HAK
  sweep();
  exact_fit();
  remote_frees();
  hak_build_info_t info;
  hak_build_info(&info);
  /* Without the header every power-of-two class is exact and naturally
   * aligned, so a cached class serves 8192-aligned blocks: no aligned class. */
  if (info.header_classidx)
    double_free();
  CHECK(small.space <= 64 * MiB && small.maps <= 16);
#ifdef ALIGNED_SPAN_GUARDS
  CHECK(mid.maps <= 16 + 2 * N && mid.space <= plain.space + 2 * MiB);
#else
  CHECK(mid.maps <= 16 && mid.space <= plain.space + 2 * MiB);
#endif
  printf("ok\n");
#else
  (void)small, (void)mid, (void)plain, (void)sweep, (void)remote_frees, (void)exact_fit;
#endif
  return 0;
}
