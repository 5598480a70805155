/* Options at run time: hak_option_get/set over the HK_OPTIONS table, and
 * glibc's mallopt mapped onto it. Not on any hot path. */
#include <errno.h>
#include <malloc.h>

#include "hakmem/box/core_init.h"
#include "hakmem/core/options.h"
#include "hakmem/hakmem.h"

/* Init first, so the environment is read before, never after, a value is set. */
static const hk_option_desc_t *find_after_init(const char *name) {
  hk_init_once();
  const hk_option_desc_t *d = name ? hk_option_find(name) : NULL;
  if (!d)
    errno = ENOENT;
  return d;
}

HK_API int hak_option_get(const char *name, long *value) {
  const hk_option_desc_t *d = find_after_init(name);
  if (!d)
    return -1;
  if (!value) {
    errno = EINVAL;
    return -1;
  }
  *value = atomic_load_explicit(d->value, memory_order_relaxed);
  return 0;
}

HK_API int hak_option_set(const char *name, long value) {
  const hk_option_desc_t *d = find_after_init(name);
  if (!d)
    return -1;
  if (value < d->lo || value > d->hi) {
    errno = EINVAL;
    return -1;
  }
  if (!d->live) {
    errno = EPERM;
    return -1;
  }
  atomic_store_explicit(d->value, value, memory_order_relaxed);
  return 0;
}

/* glibc's largest M_MXFAST, in request bytes (80 * sizeof(size_t) / 4). */
#define GLIBC_MAX_FAST 160

HK_API int hak_mallopt(int param, int value) {
  switch (param) {
  case M_TRIM_THRESHOLD: {
    /* The bytes of freed memory kept before giving it back: hakmem's nearest
     * is the large-block cache. Negative turns glibc's trimming off. */
    const hk_option_desc_t *d = find_after_init("LARGE_CACHE_BYTES");
    long bytes = value < 0 ? d->hi : value;
    return hak_option_set(d->name, bytes < d->hi ? bytes : d->hi) == 0;
  }
  case M_MXFAST: /* no fastbins; glibc's range check */
    return (unsigned long)value <= GLIBC_MAX_FAST;
  default:
    /* M_MMAP_THRESHOLD (blocks above 1 MiB are mapped, fixed), M_ARENA_MAX and
     * M_ARENA_TEST (a heap per thread), M_TOP_PAD, M_MMAP_MAX, M_CHECK_ACTION,
     * M_PERTURB, and parameters glibc does not know: glibc says 1 to each. */
    return 1;
  }
}
