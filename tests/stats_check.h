/* hak_stats_get with the checks every reading must pass, for the stats tests. */
#ifndef HAKMEM_TESTS_STATS_CHECK_H
#define HAKMEM_TESTS_STATS_CHECK_H

#include <string.h>

#include "hakmem/hakmem.h"
#include "tests/check.h"

static inline hak_stats_t checked_stats(void) {
  hak_stats_t s;
  memset(&s, 0, sizeof s);
  s.size = sizeof s;
  CHECK_EQ(hak_stats_get(&s), 0);
  CHECK_EQ(s.size, sizeof s);
  CHECK_EQ(s.version, HAK_STATS_VERSION);
  CHECK_EQ(s.num_classes, HAK_STATS_CLASSES);
  CHECK_EQ(s.bytes_in_use, s.small_bytes_in_use + s.large_bytes_in_use);
  CHECK(s.bytes_in_use_peak >= s.bytes_in_use);
  CHECK(s.os_resident <= s.os_mapped);
  CHECK(s.os_unmaps <= s.os_maps);
  CHECK(s.large_frees <= s.large_allocs);
  return s;
}

#endif /* HAKMEM_TESTS_STATS_CHECK_H */
