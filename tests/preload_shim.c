/* A preload library to put in front of libhakmem.so (LD_PRELOAD="shim lib"):
 * its constructor runs while the process is still starting and at once calls
 * malloc and friends, dlsym and dlerror (which allocate), stdio, and starts a
 * thread. The calls bind to hakmem's malloc, which must initialise itself on
 * them, re-entered or not. Any failure exits with status 97.
 *
 * With HK_SHIM_REPORT=1 it names, on stderr, the files malloc comes from. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void fail(const char *what) {
  static const char prefix[] = "preload_shim: constructor failed: ";
  (void)!write(2, prefix, sizeof prefix - 1);
  (void)!write(2, what, strlen(what));
  (void)!write(2, "\n", 1);
  _exit(97);
}

static void *thread_body(void *arg) {
  (void)arg;
  for (int i = 0; i < 1000; i++) {
    char *p = malloc((size_t)(i % 300) + 1);
    if (!p)
      fail("malloc in a thread");
    p[0] = 1;
    free(p);
  }
  return NULL;
}

__attribute__((constructor)) static void shim_init(void) {
  void *blocks[100];
  for (int i = 0; i < 100; i++) {
    size_t n = (size_t)i * 397 + 1;
    blocks[i] = malloc(n);
    if (!blocks[i])
      fail("malloc");
    memset(blocks[i], i, n);
  }
  for (int i = 0; i < 100; i++) {
    if (((unsigned char *)blocks[i])[(size_t)i * 397] != (unsigned char)i)
      fail("block contents");
    free(blocks[i]);
  }
  unsigned char *z = calloc(1000, 10);
  if (!z)
    fail("calloc");
  for (int i = 0; i < 10000; i++)
    if (z[i])
      fail("calloc not zero");
  free(z);
  char *r = realloc(NULL, 10);
  if (!r)
    fail("realloc(NULL)");
  memcpy(r, "123456789", 10);
  r = realloc(r, 300000);
  if (!r || strcmp(r, "123456789") != 0)
    fail("realloc");
  free(r);
  void *a = NULL;
  if (posix_memalign(&a, 4096, 5000) != 0 || ((uintptr_t)a & 4095))
    fail("posix_memalign");
  free(a);
  char *s = strdup("preload shim");
  if (!s)
    fail("strdup");
  free(s);

  /* dlsym: the malloc everyone binds to (hakmem's), and the next one after
   * this library (hakmem's or libc's, by the order of LD_PRELOAD). */
  void *first = dlsym(RTLD_DEFAULT, "malloc");
  void *next = dlsym(RTLD_NEXT, "malloc");
  if (!first || !next)
    fail("dlsym(malloc)");
  Dl_info info, next_info;
  if (!dladdr(first, &info) || !info.dli_fname || !dladdr(next, &next_info))
    fail("dladdr");
  /* dlerror's message is malloc'd. */
  if (dlsym(RTLD_DEFAULT, "hk_no_such_symbol_anywhere") != NULL || dlerror() == NULL)
    fail("dlsym of a missing symbol");
  /* stdio's buffer is malloc'd. */
  FILE *f = fopen("/proc/self/maps", "r");
  if (!f)
    fail("fopen");
  char line[512];
  if (!fgets(line, sizeof line, f))
    fail("fgets");
  fclose(f);
  pthread_t t;
  if (pthread_create(&t, NULL, thread_body, NULL) != 0 || pthread_join(t, NULL) != 0)
    fail("thread");
  const char *report = getenv("HK_SHIM_REPORT");
  if (report && strcmp(report, "1") == 0)
    fprintf(stderr, "preload_shim: malloc is from %s; the next one from %s\n", info.dli_fname,
            next_info.dli_fname);
}
