/* Shared by the lifecycle programs: RSS and address space from /proc/self/statm,
 * mappings from /proc/self/maps, a sleep. They call the malloc family by its
 * real names, so any allocator can be put under them with LD_PRELOAD. */
#ifndef HAKMEM_BENCH_LIFECYCLE_COMMON_H
#define HAKMEM_BENCH_LIFECYCLE_COMMON_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Field 0 (size) or 1 (resident) of /proc/self/statm, in bytes. */
static inline long statm_bytes(int field) {
  char buf[128];
  int fd = open("/proc/self/statm", O_RDONLY);
  ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
  if (fd >= 0)
    close(fd);
  if (n <= 0)
    exit(2);
  buf[n] = '\0';
  long v[2] = {0, 0};
  if (sscanf(buf, "%ld %ld", &v[0], &v[1]) != 2)
    exit(2);
  return v[field] * sysconf(_SC_PAGESIZE);
}

static inline long rss(void) { return statm_bytes(1); }
static inline long vsize(void) { return statm_bytes(0); }

static inline long mappings(void) {
  char buf[4096];
  long lines = 0;
  int fd = open("/proc/self/maps", O_RDONLY);
  for (ssize_t n; fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0;)
    for (ssize_t i = 0; i < n; i++)
      lines += buf[i] == '\n';
  if (fd >= 0)
    close(fd);
  return lines;
}

static inline void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static inline double mib(long bytes) { return (double)bytes / (1 << 20); }

#endif
