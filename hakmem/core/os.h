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
/* Records that `size` decommitted bytes are in use again (they fault back in). */
void hk_os_recommit(size_t size);
/* Grows or moves the mapping [p, p + old_size) to new_size bytes aligned to
 * `align` without copying: in place if the neighbouring range is free, else
 * onto a fresh aligned range. Returns the new start, or NULL (the old mapping
 * is untouched). */
void *hk_os_remap(void *p, size_t old_size, size_t new_size, size_t align);
/* Guard pages (core/guard.h): [p, p + size) (page aligned) inaccessible
 * (access 0) or readable and writable again (1). 0, or -1 with errno (ENOMEM:
 * the process is at its limit of mappings, vm.max_map_count). */
int hk_os_protect(void *p, size_t size, int access);
/* mincore(2): one byte per page of [p, p + size), bit 0 set if resident;
 * 0, or -1 if part of the range is not mapped. */
int hk_os_mincore(const void *p, size_t size, unsigned char *vec);
/* Bytes of [p, p + size) (page aligned) resident now; ranges or parts of
 * ranges not mapped count as 0. No allocation. */
size_t hk_os_resident(const void *p, size_t size);
/* Coarse monotonic milliseconds (vDSO; no syscall). */
uint64_t hk_os_now_ms(void);
size_t hk_os_page_size(void);

/* The value of environment variable `name`, found by walking environ (getenv
 * may allocate or lock during preload), or NULL. */
const char *hk_os_getenv(const char *name);

/* n random bytes from getrandom(2) (never blocking; a clock-and-address mix if
 * the kernel has none to give). */
void hk_os_random(void *buf, size_t n);

/* Reads up to size - 1 bytes of the file at path into buf, NUL-terminated, with
 * open/read/close only (no allocation); the byte count, or 0 on an error. */
size_t hk_os_read_file(const char *path, char *buf, size_t size);

/* Writes a message to stderr with write(2); no stdio. */
void hk_os_write_err(const char *s);

/* Called once when a map fails, to give cached memory back before the retry
 * (set at init to the large-block cache's trim). Returns non-zero if it freed
 * anything. */
extern int (*hk_os_oom_hook)(void);

/* Test hooks: counters of maps, and failing the next n maps with ENOMEM. */
typedef struct hk_os_counters {
  uint64_t maps;
  uint64_t unmaps;
  uint64_t decommits;
  uint64_t protects;          /* mprotect calls (guard pages) */
  uint64_t bytes_mapped;      /* mapped now */
  uint64_t bytes_decommitted; /* of those, given back with madvise and not reused */
} hk_os_counters_t;
void hk_os_get_counters(hk_os_counters_t *out);
void hk_os_fail_next_maps(int n);

#endif /* HAKMEM_CORE_OS_H */
