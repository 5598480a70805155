/* 2,000 x posix_memalign(ALIGN, SIZE): address space (MiB) and mappings added.
 *   aligned ALIGN SIZE */
#include "bench/lifecycle/lifecycle_common.h"

int main(int argc, char **argv) {
  if (argc != 3)
    return 2;
  size_t align = strtoul(argv[1], NULL, 10), size = strtoul(argv[2], NULL, 10);
  static void *p[2000];
  free(malloc(1));
  long vs = vsize(), maps = mappings();
  for (int i = 0; i < 2000; i++)
    if (posix_memalign(&p[i], align, size) != 0)
      return 1;
  printf("%.0f %ld\n", mib(vsize() - vs), mappings() - maps);
  return 0;
}
