/* The failure path of operator new (new_fail.cc), callable from C. */
#ifndef HAKMEM_OVERRIDE_NEW_FAIL_H
#define HAKMEM_OVERRIDE_NEW_FAIL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* After an allocation of size (aligned to alignment, or plain if 0) failed:
 * calls the new_handler and retries until the allocation succeeds. Without a
 * handler it throws std::bad_alloc, or returns NULL if nothrow (which also
 * catches a bad_alloc the handler throws), as [new.delete] says. */
void *hk_new_fail(size_t size, size_t alignment, int nothrow);

#ifdef __cplusplus
}
#endif

#endif /* HAKMEM_OVERRIDE_NEW_FAIL_H */
