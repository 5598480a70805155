/* hakmem public API: the allocator under a hak_ prefix.
 *
 * Tests, fuzzers, benchmarks and sanitizer builds link //hakmem:hakmem, which
 * exports only these names; the malloc/free override lives in
 * //hakmem/override and is never linked into a sanitizer build. */
#ifndef HAKMEM_HAKMEM_H
#define HAKMEM_HAKMEM_H

#include <stddef.h>

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

/* Build facts, for tests and benchmark reports. */
typedef struct hak_build_info {
  int header_classidx; /* 1-byte class header before each small block */
  int prewarm_tls;     /* thread caches pre-warmed at a thread's first use */
  int aggressive_inline;
  int release;      /* profiling and debug counters compiled out */
  size_t tiny_max;  /* largest tiny request */
  size_t small_max; /* largest request served from size classes */
  int num_classes;
} hak_build_info_t;
void hak_build_info(hak_build_info_t *out);

#ifdef __cplusplus
}
#endif

#endif /* HAKMEM_HAKMEM_H */
