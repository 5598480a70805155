/* A program that links neither hakmem nor its override dlopens libhakmem.so
 * (RTLD_NOW) and uses the hak_* API through dlsym from two threads. glibc
 * places a dlopened library's initial-exec TLS in the surplus of the static
 * TLS block; the part it reserves for such libraries is
 * glibc.rtld.optional_static_tls (512 bytes by default), so the library's TLS
 * segment must fit in that, or dlopen fails with "cannot allocate memory in
 * static TLS block" in programs that use more of the surplus than this one.
 *
 * usage: dlopen_test LIBHAKMEM_SO | --skip-sanitizer */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "tests/check.h"

#define TLS_BUDGET 512 /* glibc.rtld.optional_static_tls default */

static void *(*hak_malloc)(size_t);
static void (*hak_free)(void *);
static void *(*hak_aligned_alloc)(size_t, size_t);
static size_t (*hak_usable_size)(const void *);

static int find_tls(struct dl_phdr_info *info, size_t size, void *arg) {
  (void)size;
  const char *name = arg;
  if (!strstr(info->dlpi_name, name))
    return 0;
  for (int i = 0; i < info->dlpi_phnum; i++)
    if (info->dlpi_phdr[i].p_type == PT_TLS)
      return (int)info->dlpi_phdr[i].p_memsz;
  return -1; /* the library has no TLS at all: fits too */
}

static void *worker(void *arg) {
  unsigned seed = (unsigned)(uintptr_t)arg;
  enum { N = 2000 };
  static __thread void *blocks[N];
  static __thread size_t sizes[N];
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < N; i++) {
      seed = seed * 1103515245u + 12345u;
      size_t size = (size_t)1 << (seed >> 8) % 18; /* 1 B .. 128 KiB */
      size += (seed >> 4) % 16;
      if (i % 5 == 0) {
        size_t align = (size_t)16 << (seed >> 12) % 9; /* 16 B .. 4 KiB */
        blocks[i] = hak_aligned_alloc(align, size);
        CHECK(blocks[i] != NULL);
        CHECK(((uintptr_t)blocks[i] & (align - 1)) == 0);
      } else {
        blocks[i] = hak_malloc(size);
        CHECK(blocks[i] != NULL);
      }
      CHECK(hak_usable_size(blocks[i]) >= size);
      sizes[i] = size;
      memset(blocks[i], (int)(i & 0xff), size);
    }
    for (int i = 0; i < N; i++) {
      const unsigned char *b = blocks[i];
      CHECK(b[0] == (i & 0xff) && b[sizes[i] - 1] == (i & 0xff));
      hak_free(blocks[i]);
    }
  }
  return NULL;
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  if (strcmp(argv[1], "--skip-sanitizer") == 0) {
    printf("dlopen_test: skipped: libhakmem.so is built with -fsanitize in this config\n");
    return 0;
  }
  /* This binary must not carry hakmem already. */
  CHECK(dlsym(RTLD_DEFAULT, "hak_malloc") == NULL);
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    CHECK(0);
  }
  hak_malloc = (void *(*)(size_t))dlsym(lib, "hak_malloc");
  hak_free = (void (*)(void *))dlsym(lib, "hak_free");
  hak_aligned_alloc = (void *(*)(size_t, size_t))dlsym(lib, "hak_aligned_alloc");
  hak_usable_size = (size_t(*)(const void *))dlsym(lib, "hak_usable_size");
  CHECK(hak_malloc && hak_free && hak_aligned_alloc && hak_usable_size);

  int tls = dl_iterate_phdr(find_tls, "libhakmem.so");
  printf("libhakmem.so TLS segment: %d bytes (budget %d)\n", tls, TLS_BUDGET);
  CHECK(tls != 0 && tls <= TLS_BUDGET);

  pthread_t t[2];
  for (int i = 0; i < 2; i++)
    CHECK_EQ(pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)(i + 1)), 0);
  worker((void *)(uintptr_t)7); /* the main thread too */
  for (int i = 0; i < 2; i++)
    CHECK_EQ(pthread_join(t[i], NULL), 0);
  printf("ok\n");
  return 0;
}
