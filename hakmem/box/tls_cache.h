/* Box: the thread cache (TLS).
 *
 * Owns: per class, a singly-linked list of free blocks (head) and the room left
 * before the list reaches its cap (room = cap - length). Indexed by the class
 * tag (hk_class_tag, the header byte), so 256 entries: a tag that is not a
 * class's (aligned interior pointers, corrupt headers) has room 1 and an empty
 * list, and its first push takes the overflow path where it is resolved or
 * reported, with no extra branch on the fast path.
 * Invariants: every block in a list belongs to a slab of `heap`; head[t] is NULL
 * and room[t] is 1 for every tag t that is no class's.
 * Who: the owning thread only. initial-exec TLS: one %fs-relative access. */
#ifndef HAKMEM_BOX_TLS_CACHE_H
#define HAKMEM_BOX_TLS_CACHE_H

#include <stdint.h>

#include "hakmem/core/registry.h"
#include "hakmem/core/size_class.h"
#include "hakmem/core/superslab.h"

enum { HK_THREAD_NEW = 0, HK_THREAD_ATTACHED = 1, HK_THREAD_EXITED = 2 };

typedef struct hk_tls {
  void *head[HK_NUM_TAGS];
  uint32_t room[HK_NUM_TAGS];
  hk_heap_t *heap;
  int state;
  uint8_t reg_id; /* heap->reg_id if unique, else HK_REG_NONE (also before attach) */
} hk_tls_t;

extern __thread hk_tls_t hk_tls __attribute__((tls_model("initial-exec")));

/* Per-class cap and refill batch, from the options. Slow paths only. */
uint32_t hk_cache_cap(unsigned c);
uint32_t hk_refill_batch(unsigned c);

#endif /* HAKMEM_BOX_TLS_CACHE_H */
