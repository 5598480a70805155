/* hakmem-info: what the preloaded libhakmem is. The `hakmem` command runs it
 * with LD_PRELOAD set, so it reports the library a program would get.
 *
 *   hakmem-info              version, library path and build flags
 *   hakmem-info --check N... exit 2 naming the first N that is not an option */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "hakmem/hakmem.h"

static void *need(const char *name) {
  void *f = dlsym(RTLD_DEFAULT, name);
  if (!f) {
    fprintf(stderr, "hakmem-info: %s not found: libhakmem is not preloaded\n", name);
    return NULL;
  }
  return f;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--check") == 0) {
    int (*get)(const char *, long *) = (int (*)(const char *, long *))need("hak_option_get");
    if (!get)
      return 1;
    for (int i = 2; i < argc; i++) {
      long v;
      if (get(argv[i], &v) != 0) {
        fprintf(stderr, "hakmem: unknown option %s (see `man hakmem`)\n", argv[i]);
        return 2;
      }
    }
    return 0;
  }
  void (*build_info)(hak_build_info_t *) = (void (*)(hak_build_info_t *))need("hak_build_info");
  if (!build_info)
    return 1;
  hak_build_info_t b;
  memset(&b, 0, sizeof b);
  build_info(&b);
  Dl_info where;
  const char *path = dladdr((void *)build_info, &where) && where.dli_fname ? where.dli_fname : "?";
  printf("hakmem %s\nlibrary: %s\n", b.version ? b.version : "?", path);
  printf("build: header_classidx=%d prewarm_tls=%d aggressive_inline=%d release=%d tiny_max=%zu "
         "small_max=%zu num_classes=%d\n",
         b.header_classidx, b.prewarm_tls, b.aggressive_inline, b.release, b.tiny_max, b.small_max,
         b.num_classes);
  return 0;
}
