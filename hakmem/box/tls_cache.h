/* Box: the thread cache (TLS).
 *
 * Owns: per class, a singly-linked list of free blocks (head) and the room left
 * before the list reaches its cap (room = cap - length, cap <= 4096). Only
 * HK_NUM_CLASSES entries: the free fast path sends a tag that is not a class
 * to the slow path before indexing.
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

typedef struct hk_tls {
  void *head[HK_NUM_CLASSES];
  uint16_t room[HK_NUM_CLASSES];
  hk_heap_t *heap;
  int state;
  uint8_t reg_id; /* heap->reg_id if unique, else HK_REG_NONE (also before attach) */
} hk_tls_t;

/* 496 bytes, leaving the rest of 512 to the library's other TLS variables. */
_Static_assert(sizeof(hk_tls_t) <= 496, "the thread cache must fit glibc's optional static TLS");

extern __thread hk_tls_t hk_tls __attribute__((tls_model("initial-exec")));

/* Per-class cap and refill batch, from the options. Slow paths only. */
uint32_t hk_cache_cap(unsigned c);
uint32_t hk_refill_batch(unsigned c);

#endif /* HAKMEM_BOX_TLS_CACHE_H */
