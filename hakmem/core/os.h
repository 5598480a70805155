/* The OS contract: the only module that maps, unmaps or advises memory, or
 * reads the environment. Tests count and fail its calls (fault injection).
 *
 * Callers: SuperSlab, large blocks, options. Never on a hot path. Nothing here
 * allocates, so it is safe while malloc is being initialised. */
#ifndef HAKMEM_CORE_OS_H
#define HAKMEM_CORE_OS_H

#include <stddef.h>
#include <stdint.h>

/* Fresh zeroed memory of `size` bytes aligned to `align` (a power of two, at
 * least the page size), or NULL with errno = ENOMEM. */
void *hk_os_map_aligned(size_t size, size_t align);
void hk_os_unmap(void *p, size_t size);
/* Gives the pages back; the range stays mapped and reads as zero afterwards. */
void hk_os_decommit(void *p, size_t size);
size_t hk_os_page_size(void);

/* The value of environment variable `name`, found by walking environ (getenv
 * may allocate or lock during preload), or NULL. */
const char *hk_os_getenv(const char *name);

/* Writes a message to stderr with write(2); no stdio. */
void hk_os_write_err(const char *s);

/* Test hooks: counters of maps, and failing the next n maps with ENOMEM. */
typedef struct hk_os_counters {
  uint64_t maps;
  uint64_t unmaps;
  uint64_t decommits;
} hk_os_counters_t;
void hk_os_get_counters(hk_os_counters_t *out);
void hk_os_fail_next_maps(int n);

#endif /* HAKMEM_CORE_OS_H */
