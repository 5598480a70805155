/* The registry: which 2 MiB chunks of the address space are hakmem's, and
 * whose. A byte per chunk in a 64 MiB .bss array (only the pages covering used
 * address ranges are ever touched: one page per 8 GiB).
 *
 * It tells hakmem's pointers from foreign ones without touching foreign memory,
 * and dispatches free in O(1): a SuperSlab's byte is the id of the heap that
 * owns it, so one compare with the thread's own id says "a block of mine".
 * Reads are relaxed atomic loads (plain moves); writes happen when chunks are
 * mapped or unmapped. Hot-path cost: shift, mask, byte load, compare. */
#ifndef HAKMEM_CORE_REGISTRY_H
#define HAKMEM_CORE_REGISTRY_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "hakmem/core/config.h"

/* Values of a chunk's byte. Heap ids are unique for a heap's life (heaps are
 * pooled, never freed); heaps made after the ids ran out share
 * HK_REG_SS_SHARED and take the slow path to check ownership. HK_REG_NONE is
 * never stored: it is a thread's id while it has no heap with an id. */
enum {
  HK_REG_FOREIGN = 0,
  HK_REG_MAX_HEAP_ID = 251,
  HK_REG_SS_SHARED = 252,
  HK_REG_LARGE = 253,      /* a large mapping's first chunk, which holds its record */
  HK_REG_LARGE_MORE = 254, /* a later chunk of one: nothing of it is read (a guard may start it) */
  HK_REG_NONE = 255,
};

static inline int hk_reg_is_ss(unsigned kind) { return kind - 1u < HK_REG_SS_SHARED; }
static inline int hk_reg_is_large(unsigned kind) { return kind - HK_REG_LARGE < 2u; }

/* 47-bit user address space in 2 MiB chunks. */
#define HK_REG_ENTRIES ((size_t)1 << (47 - HK_SS_SHIFT))

extern _Atomic uint8_t hk_registry[HK_REG_ENTRIES];

HK_HOT unsigned hk_registry_kind(const void *p) {
  /* The mask keeps a wild pointer inside the array; such a pointer is not
   * canonical user memory, so the first access to it faults, never corrupts. */
  size_t i = ((uintptr_t)p >> HK_SS_SHIFT) & (HK_REG_ENTRIES - 1);
  return atomic_load_explicit(&hk_registry[i], memory_order_relaxed);
}

/* The free fast path's read: no mask. A pointer at or above 2^47 reads past
 * the table, and whatever it finds, the pointer itself is not user memory
 * (kernel half or not canonical): the next access through it faults. So a wild
 * free crashes, as with any malloc, and never corrupts. */
HK_HOT unsigned hk_registry_kind_fast(const void *p) {
  return atomic_load_explicit(&hk_registry[(uintptr_t)p >> HK_SS_SHIFT], memory_order_relaxed);
}

/* Marks [base, base + size) (2 MiB aligned) as `kind`. */
void hk_registry_set(const void *base, size_t size, unsigned kind);

#endif /* HAKMEM_CORE_REGISTRY_H */
