/* The process's address space and resident bytes, from /proc/self/statm, and
 * its minor page faults. No allocation (read(2) into a stack buffer), so a
 * reading does not disturb what it measures, whichever malloc the test runs
 * under. */
#ifndef HAKMEM_TESTS_STATM_H
#define HAKMEM_TESTS_STATM_H

#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "tests/check.h"

/* Field 0 (address space) or 1 (resident), in bytes. */
static inline long statm_bytes(int field) {
  char buf[128];
  int fd = open("/proc/self/statm", O_RDONLY);
  CHECK(fd >= 0);
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  CHECK(n > 0);
  buf[n] = '\0';
  long pages[2] = {0, 0};
  CHECK_EQ(sscanf(buf, "%ld %ld", &pages[0], &pages[1]), 2);
  return pages[field] * sysconf(_SC_PAGESIZE);
}

static inline long vm_bytes(void) { return statm_bytes(0); }
static inline long rss_bytes(void) { return statm_bytes(1); }

static inline long minor_faults(void) {
  struct rusage ru;
  CHECK_EQ(getrusage(RUSAGE_SELF, &ru), 0);
  return ru.ru_minflt;
}

#endif /* HAKMEM_TESTS_STATM_H */
