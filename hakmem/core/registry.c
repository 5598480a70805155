#include "hakmem/core/registry.h"

_Atomic uint8_t hk_registry[HK_REG_ENTRIES];

void hk_registry_set(const void *base, size_t size, unsigned kind) {
  size_t first = (uintptr_t)base >> HK_SS_SHIFT;
  size_t last = ((uintptr_t)base + size - 1) >> HK_SS_SHIFT;
  for (size_t i = first; i <= last; i++)
    atomic_store_explicit(&hk_registry[i & (HK_REG_ENTRIES - 1)], (uint8_t)kind,
                          memory_order_relaxed);
}
