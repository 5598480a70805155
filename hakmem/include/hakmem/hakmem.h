/* hakmem public API: the allocator under a hak_ prefix.
 *
 * Tests, fuzzers, benchmarks and sanitizer builds link //hakmem:hakmem, which
 * exports only these names; the malloc/free override lives in
 * //hakmem/override and is never linked into a sanitizer build. */
#ifndef HAKMEM_HAKMEM_H
#define HAKMEM_HAKMEM_H

#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The version: the one place it is written. The soname (libhakmem.so.MAJOR),
 * hakmem.pc and `hakmem --version` all take it from here. */
#define HAKMEM_VERSION_MAJOR         0
#define HAKMEM_VERSION_MINOR         1
#define HAKMEM_VERSION_PATCH         0
#define HAKMEM_VERSION_STR_(a, b, c) #a "." #b "." #c
#define HAKMEM_VERSION_STR(a, b, c)  HAKMEM_VERSION_STR_(a, b, c)
#define HAKMEM_VERSION                                                                             \
  HAKMEM_VERSION_STR(HAKMEM_VERSION_MAJOR, HAKMEM_VERSION_MINOR, HAKMEM_VERSION_PATCH)

#ifdef __cplusplus
extern "C" {
#endif

/* malloc semantics: NULL with errno = ENOMEM on failure; hak_malloc(0) returns
 * a unique pointer. Every pointer is aligned to alignof(max_align_t) (16). */
void *hak_malloc(size_t size);
/* free semantics: NULL is a no-op; errno is preserved. */
void hak_free(void *ptr);
void *hak_calloc(size_t count, size_t size);
void *hak_realloc(void *ptr, size_t size);
/* Power-of-two alignment; NULL with errno = EINVAL for a bad alignment. */
void *hak_aligned_alloc(size_t alignment, size_t size);
/* Bytes usable at ptr (at least what was asked for); 0 for NULL. */
size_t hak_usable_size(const void *ptr);
/* Non-zero if ptr lies in memory hakmem manages; never touches foreign memory. */
int hak_owns(const void *ptr);

/* The rest of the C, POSIX and glibc API, with glibc's semantics; the malloc
 * override exports each under its usual name. */
void *hak_reallocarray(void *ptr, size_t count, size_t size);
int hak_posix_memalign(void **out, size_t alignment, size_t size); /* out untouched on error */
void *hak_memalign(size_t alignment, size_t size); /* rounds alignment up to a power of two */
void *hak_valloc(size_t size);
void *hak_pvalloc(size_t size);
/* C23: size (and alignment) as passed to the allocation; checked in debug builds. */
void hak_free_sized(void *ptr, size_t size);
void hak_free_aligned_sized(void *ptr, size_t alignment, size_t size);
/* Returns memory the calling thread's heap and exited threads' heaps no longer
 * use to the OS; 1 if any was returned. */
int hak_malloc_trim(size_t pad);
void hak_malloc_stats(void);                    /* human-readable, to stderr */
int hak_malloc_info(int options, FILE *stream); /* XML; options must be 0 */
struct mallinfo2 hak_mallinfo2(void);

/* Statistics. Counts are taken on slow paths only (refill, spill, remote
 * collection, large blocks, OS calls), so "in use" includes blocks that sit in
 * threads' caches. Set size = sizeof(hak_stats_t) before the call. */
#define HAK_STATS_VERSION 1
#define HAK_STATS_CLASSES 48
typedef struct hak_class_stats {
  uint64_t block_size;   /* usable bytes of a block of the class */
  uint64_t blocks_out;   /* out of slabs: in use or in a thread cache */
  uint64_t refills;      /* batches moved to a thread cache */
  uint64_t spills;       /* batches moved back from a thread cache */
  uint64_t remote_frees; /* blocks freed by a thread other than the owner's */
} hak_class_stats_t;
typedef struct hak_stats {
  size_t size;      /* in: sizeof(hak_stats_t) */
  uint32_t version; /* out: HAK_STATS_VERSION */
  uint32_t num_classes;
  uint64_t bytes_in_use; /* small blocks out of slabs plus large blocks */
  uint64_t bytes_in_use_peak;
  uint64_t small_bytes_in_use;        /* blocks up to 64 KiB */
  uint64_t large_bytes_in_use;        /* blocks above 64 KiB: spans and mappings */
  uint64_t large_allocs, large_frees; /* of blocks above 64 KiB */
  uint64_t os_mapped;                 /* bytes mapped from the OS and not unmapped */
  uint64_t os_resident;               /* of those, resident now (mincore) */
  uint64_t os_maps, os_unmaps, os_decommits;
  uint64_t heaps; /* thread heaps made (pooled when a thread exits) */
  hak_class_stats_t classes[HAK_STATS_CLASSES];
} hak_stats_t;
/* 0 on success; -1 with errno = EINVAL if out->size is too small. */
int hak_stats_get(hak_stats_t *out);
/* The same figures as one JSON object on one line (what HAKMEM_SHOW_STATS=json
 * prints at exit): the hak_stats_t fields by name, "hakmem" (the version),
 * "pid", and "classes", one object per class. 0 on success; -1 with errno set
 * on a write error, EINVAL for a NULL stream. */
int hak_stats_json(FILE *stream);

/* Options: the HAKMEM_* variables of the README's table, by name with or
 * without the HAKMEM_ prefix, in any case ("PURGE_DELAY_MS"). Safe from any
 * thread at any time. Both return 0 on success and -1 with errno = ENOENT for
 * an unknown name. hak_option_set fails with EINVAL for a value out of the
 * option's range and with EPERM for an option read only at start-up (the
 * README marks them); a new value applies from the next slow-path operation that
 * reads it: PREWARM_COUNT and CACHE_BYTES from a thread's first allocation on. */
int hak_option_get(const char *name, long *value);
int hak_option_set(const char *name, long value);
/* glibc's mallopt, onto the options above: M_TRIM_THRESHOLD sets
 * LARGE_CACHE_BYTES (a negative value: keep everything); M_MMAP_THRESHOLD,
 * M_ARENA_MAX, M_ARENA_TEST, M_TOP_PAD, M_MMAP_MAX, M_CHECK_ACTION, M_PERTURB
 * and unknown parameters change nothing and succeed, as glibc's answer for
 * them is 1. Returns 1 on success, 0 where glibc does (M_MXFAST above 160). */
int hak_mallopt(int param, int value);

/* Build facts, for tests and benchmark reports. */
typedef struct hak_build_info {
  int header_classidx; /* 1-byte class header before each small block */
  int prewarm_tls;     /* thread caches pre-warmed at a thread's first use */
  int aggressive_inline;
  int release;      /* profiling and debug counters compiled out */
  size_t tiny_max;  /* largest tiny request */
  size_t small_max; /* largest request served from size classes */
  int num_classes;
  const char *version; /* HAKMEM_VERSION of the library */
} hak_build_info_t;
void hak_build_info(hak_build_info_t *out);

#ifdef __cplusplus
}
#endif

#endif /* HAKMEM_HAKMEM_H */
