/* Freed large blocks stay within the cache's budget also when they are over-
 * aligned (above 2 MiB, which never take from the cache) and made one after
 * another: neighbours in the address space, each freed block merged with the
 * cached one before it, and the entry just freed is always kept, so the merged
 * entry held them all (800 x 4 MiB aligned to 4 MiB: 3.2 GB resident before,
 * with a budget of 128 MiB). Bounded here with a budget of 32 MiB. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hakmem/hakmem.h"
#include "tests/check.h"
#include "tests/statm.h"

#define MIB ((size_t)1 << 20)

int main(void) {
  CHECK_EQ(hak_option_set("HAKMEM_LARGE_CACHE_BYTES", 32 << 20), 0);
  long rss0 = rss_bytes(), vm0 = vm_bytes(), peak = 0, vm_peak = 0;
  void *live = NULL;
  for (int i = 0; i < 200; i++) {
    void *p;
    CHECK_EQ(hak_posix_memalign(&p, 4 * MIB, 4 * MIB), 0);
    CHECK(((uintptr_t)p & (4 * MIB - 1)) == 0);
    memset(p, 1, 4 * MIB);
    hak_free(live);
    live = p;
    long rss = rss_bytes() - rss0, vm = vm_bytes() - vm0;
    peak = rss > peak ? rss : peak;
    vm_peak = vm > vm_peak ? vm : vm_peak;
  }
  hak_free(live);
  fprintf(stderr,
          "200 x posix_memalign(4 MiB, 4 MiB), one live: peak RSS +%ld MiB, address space +%ld "
          "MiB\n",
          peak / (long)MIB, vm_peak / (long)MIB);
  /* The budget, the live block and one being made (mapped with room to align). */
  CHECK(vm_peak <= 64 * (long)MIB);
#ifndef __SANITIZE_THREAD__ /* TSan's shadow of every byte touched stays resident */
  CHECK(peak <= 48 * (long)MIB);
#endif
  return 0;
}
