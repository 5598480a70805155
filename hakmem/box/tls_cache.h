/* Box: the thread cache (TLS).
 *
 * Owns: per class, a singly-linked list of free blocks (head) and the room left
 * before the list reaches its cap (room = cap - length, cap <= 4096). One
 * entry per cached class and a spare (below), so that the whole fits.
 * Invariants: every block in a list belongs to a slab of `heap`.
 * Who: the owning thread only. initial-exec TLS: one %fs-relative access. The
 * library's whole TLS segment must fit in the static TLS glibc keeps for
 * dlopened libraries (glibc.rtld.optional_static_tls, 512 bytes by default),
 * or dlopen("libhakmem.so") fails; tests/dlopen_test checks it. */
#ifndef HAKMEM_BOX_TLS_CACHE_H
#define HAKMEM_BOX_TLS_CACHE_H

#include <stdint.h>

#include "hakmem/core/registry.h"
#include "hakmem/core/size_class.h"
#include "hakmem/core/superslab.h"

enum { HK_THREAD_NEW = 0, HK_THREAD_ATTACHED = 1, HK_THREAD_EXITED = 2 };

/* Entry HK_NUM_CLASSES is the spare: always empty with room 1 once attached,
 * so a free in a unit of no cached class (a span, an aligned class) that gets
 * past the header check (a byte of HK_TAG_NONE there; without the header,
 * always) pushes there and takes the overflow path, which takes the block back
 * and resolves it: no range check on the fast path. */
#define HK_CACHE_SPARE HK_NUM_CLASSES
_Static_assert(HK_SS_SLOT_OF(HK_SLAB_UNUSED) == HK_CACHE_SPARE, "unit_slot names the spare entry");

typedef struct hk_tls {
  void *head[HK_NUM_CLASSES + 1];
  uint16_t room[HK_NUM_CLASSES + 1];
  uint8_t reg_id;       /* heap->reg_id if unique, else HK_REG_NONE (also before attach) */
  uint8_t state;        /* HK_THREAD_* */
  uint8_t initialising; /* inside hk_init_slow (core_init) */
  hk_heap_t *heap;
} hk_tls_t;

/* The library's only TLS variable: all of it must fit in 512 bytes. */
_Static_assert(sizeof(hk_tls_t) <= 512, "the thread cache must fit glibc's optional static TLS");

extern __thread hk_tls_t hk_tls __attribute__((tls_model("initial-exec")));

/* Per-class cap, from the options (the refill batch: box/refill.h). Slow paths only. */
uint32_t hk_cache_cap(unsigned c);

#endif /* HAKMEM_BOX_TLS_CACHE_H */
