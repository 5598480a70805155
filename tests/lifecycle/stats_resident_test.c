/* Honest statistics: os_resident is what the OS says is resident of hakmem's
 * mappings, so it is never above the process's RSS. Mapped but untouched
 * memory (64 spans of 1 MiB, never written) must not count. */
#include "tests/lifecycle/lifecycle.h"
#include "tests/stats_check.h"

#define SPANS 64

int main(void) {
  void *p[SPANS];
  for (int i = 0; i < SPANS; i++) {
    p[i] = hak_malloc(1000 * 1000);
    CHECK(p[i] != NULL);
  }
  hak_stats_t s = checked_stats();
  long rss = rss_bytes();
  fprintf(stderr, "os_mapped %llu KiB, os_resident %llu KiB, process RSS %ld KiB\n",
          (unsigned long long)s.os_mapped >> 10, (unsigned long long)s.os_resident >> 10,
          rss / KIB);
  CHECK(s.os_mapped >= (uint64_t)SPANS * 1000 * 1000);
  CHECK((long)s.os_resident <= rss);
  for (int i = 0; i < SPANS; i++)
    hak_free(p[i]);
  return 0;
}
