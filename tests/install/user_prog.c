/* What a user builds against an installed hakmem with
 * `cc user_prog.c $(pkg-config --cflags --libs hakmem)` (or with libhakmem.a):
 * malloc is hakmem's, the library is the header's version, options and mallopt
 * reach it, and the statistics come out as JSON on stdout. */
#include <hakmem/hakmem.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPECT(cond)                                                                               \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "user_prog: %s:%d: %s\n", __FILE__, __LINE__, #cond);                        \
      return 1;                                                                                    \
    }                                                                                              \
  } while (0)

int main(void) {
  hak_build_info_t info;
  memset(&info, 0, sizeof info);
  hak_build_info(&info);
  EXPECT(info.version && strcmp(info.version, HAKMEM_VERSION) == 0);

  char *p = malloc(100); /* the program's malloc: hakmem's once linked */
  EXPECT(p && hak_owns(p) && hak_usable_size(p) >= 100);
  void *q = hak_malloc(5000);
  EXPECT(q && malloc_usable_size(q) >= 5000);
  free(q);

  EXPECT(hak_option_set("PURGE_DELAY_MS", 0) == 0);
  EXPECT(mallopt(M_TRIM_THRESHOLD, 12345) == 1);
  EXPECT(mallopt(M_ARENA_MAX, 2) == 1);
  long v = -1;
  EXPECT(hak_option_get("LARGE_CACHE_BYTES", &v) == 0 && v == 12345);
  EXPECT(hak_option_get("PURGE_DELAY_MS", &v) == 0 && v == 0);

  EXPECT(hak_stats_json(stdout) == 0);
  printf("version %s\n", info.version);
  free(p);
  return 0;
}
