#define _GNU_SOURCE
#include "hakmem/core/os.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "hakmem/core/debug.h"

extern char **environ;

static _Atomic uint64_t os_maps, os_unmaps, os_decommits, os_protects;
static _Atomic int64_t os_bytes_mapped, os_bytes_decommitted;
static _Atomic int os_fail_maps;

size_t hk_os_page_size(void) { return 4096; }

int (*hk_os_oom_hook)(void);

static void *map_aligned(size_t size, size_t align);

void *hk_os_map_aligned(size_t size, size_t align) {
  void *p = map_aligned(size, align);
  if (!p && hk_os_oom_hook && hk_os_oom_hook())
    p = map_aligned(size, align);
  return p;
}

/* Trimming an aligned mapping failed, which would leave more mapped than the
 * counters say: what is still mapped, [p, p + size), goes back and the map
 * fails. */
static void *trim_failed(char *p, size_t size) {
  if (munmap(p, size) != 0)
    hk_fatal("munmap failed", p);
  errno = ENOMEM;
  return NULL;
}

static void *map_aligned(size_t size, size_t align) {
  if (atomic_load_explicit(&os_fail_maps, memory_order_relaxed) > 0 &&
      atomic_fetch_sub(&os_fail_maps, 1) > 0) {
    errno = ENOMEM;
    return NULL;
  }
  if (size > SIZE_MAX - align) {
    errno = ENOMEM;
    return NULL;
  }
  /* Map size + align, then trim the unaligned head and the tail. */
  size_t span = size + align;
  char *raw = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) {
    errno = ENOMEM;
    return NULL;
  }
  /* The highest aligned start: the kernel maps top-down, so the next mapping
   * lands in the trimmed head and abuts this one (one entry in /proc/self/maps
   * for a run of SuperSlabs, not one each). */
  uintptr_t start = ((uintptr_t)raw + span - size) & ~(uintptr_t)(align - 1);
  size_t head = start - (uintptr_t)raw;
  size_t tail = span - head - size;
  if (head && munmap(raw, head) != 0)
    return trim_failed(raw, span);
  if (tail && munmap((char *)start + size, tail) != 0)
    return trim_failed((char *)start, size + tail);
  atomic_fetch_add_explicit(&os_maps, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&os_bytes_mapped, (int64_t)size, memory_order_relaxed);
  return (void *)start;
}

void hk_os_unmap(void *p, size_t size) {
  if (munmap(p, size) != 0)
    hk_fatal("munmap failed", p);
  atomic_fetch_add_explicit(&os_unmaps, 1, memory_order_relaxed);
  atomic_fetch_sub_explicit(&os_bytes_mapped, (int64_t)size, memory_order_relaxed);
}

void hk_os_decommit(void *p, size_t size) {
  (void)madvise(p, size, MADV_DONTNEED);
  atomic_fetch_add_explicit(&os_decommits, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&os_bytes_decommitted, (int64_t)size, memory_order_relaxed);
}

int hk_os_protect(void *p, size_t size, int access) {
  atomic_fetch_add_explicit(&os_protects, 1, memory_order_relaxed);
  return mprotect(p, size, access ? PROT_READ | PROT_WRITE : PROT_NONE);
}

void hk_os_recommit(size_t size) {
  atomic_fetch_sub_explicit(&os_bytes_decommitted, (int64_t)size, memory_order_relaxed);
}

void *hk_os_remap(void *p, size_t old_size, size_t new_size, size_t align) {
  void *q = mremap(p, old_size, new_size, 0);
  if (q == MAP_FAILED) {
    /* Reserve an aligned range and move the pages onto it. */
    void *target = hk_os_map_aligned(new_size, align);
    if (!target)
      return NULL;
    q = mremap(p, old_size, new_size, MREMAP_MAYMOVE | MREMAP_FIXED, target);
    if (q == MAP_FAILED) {
      hk_os_unmap(target, new_size);
      errno = ENOMEM;
      return NULL;
    }
    /* The reservation was counted as mapped; the old range is gone. */
    atomic_fetch_sub_explicit(&os_bytes_mapped, (int64_t)old_size, memory_order_relaxed);
    return q;
  }
  atomic_fetch_add_explicit(&os_bytes_mapped, (int64_t)(new_size - old_size), memory_order_relaxed);
  return q;
}

int hk_os_mincore(const void *p, size_t size, unsigned char *vec) {
  return mincore((void *)p, size, vec);
}

size_t hk_os_resident(const void *p, size_t size) {
  unsigned char vec[512];
  size_t resident = 0;
  const size_t page = hk_os_page_size();
  for (size_t off = 0; off < size;) {
    size_t len = size - off < sizeof vec * page ? size - off : sizeof vec * page;
    if (hk_os_mincore((char *)p + off, len, vec) == 0) {
      for (size_t i = 0; i < (len + page - 1) / page; i++)
        resident += (vec[i] & 1) * page;
    } else if (len > page) {
      /* A hole in the range: ask page by page. */
      for (size_t i = 0; i < len; i += page)
        resident += hk_os_resident((char *)p + off + i, page);
    }
    off += len;
  }
  return resident;
}

uint64_t hk_os_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

const char *hk_os_getenv(const char *name) {
  size_t len = strlen(name);
  if (!environ)
    return NULL;
  for (char **e = environ; *e; e++)
    if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
      return *e + len + 1;
  return NULL;
}

void hk_os_write_err(const char *s) {
  size_t n = strlen(s);
  while (n > 0) {
    ssize_t w = write(2, s, n);
    if (w <= 0)
      return;
    s += w;
    n -= (size_t)w;
  }
}

void hk_os_get_counters(hk_os_counters_t *out) {
  out->maps = atomic_load(&os_maps);
  out->unmaps = atomic_load(&os_unmaps);
  out->decommits = atomic_load(&os_decommits);
  out->protects = atomic_load(&os_protects);
  out->bytes_mapped = (uint64_t)atomic_load(&os_bytes_mapped);
  out->bytes_decommitted = (uint64_t)atomic_load(&os_bytes_decommitted);
}

void hk_os_fail_next_maps(int n) { atomic_store(&os_fail_maps, n); }

uintptr_t hk_link_secret;

void hk_os_random(void *buf, size_t n) {
  ssize_t got = getrandom(buf, n, GRND_NONBLOCK);
  if (got == (ssize_t)n)
    return;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uintptr_t)&ts;
  for (size_t i = 0; i < n; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    ((unsigned char *)buf)[i] = (unsigned char)(x >> 56);
  }
}

size_t hk_os_read_file(const char *path, char *buf, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  size_t n = 0;
  ssize_t r = 0;
  if (fd < 0 || size == 0)
    return 0;
  while (n < size - 1 && (r = read(fd, buf + n, size - 1 - n)) > 0)
    n += (size_t)r;
  close(fd);
  buf[n] = '\0';
  return r < 0 ? 0 : n;
}

static char *fmt_hex(char *end, uintptr_t v) {
  *--end = '\0';
  do {
    *--end = "0123456789abcdef"[v & 15];
    v >>= 4;
  } while (v);
  *--end = 'x';
  *--end = '0';
  return end;
}

void hk_fatal(const char *what, const void *addr) {
  /* One line, one write: lines of other threads do not interleave with it. */
  char line[256], hex[24];
  size_t n = 0;
  const char *parts[] = {"hakmem: ", what, addr ? " at " : "",
                         addr ? fmt_hex(hex + sizeof hex, (uintptr_t)addr) : "", "\n"};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
    for (const char *s = parts[i]; *s && n < sizeof line - 1; s++)
      line[n++] = *s;
  if (line[n - 1] != '\n')
    line[n - 1] = '\n';
  line[n] = '\0';
  hk_os_write_err(line);
  abort();
}
