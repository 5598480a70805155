// The new_handler loop of operator new ([new.delete.single]): the one part of
// the C++ override that needs C++ (std::get_new_handler, throw, catch).
#include "hakmem/override/new_fail.h"

#include <new>

#include "hakmem/hakmem.h"

static void *retry(size_t size, size_t alignment) {
  for (;;) {
    std::new_handler handler = std::get_new_handler();
    if (!handler)
      throw std::bad_alloc();
    handler();
    void *p = alignment ? hak_aligned_alloc(alignment, size) : hak_malloc(size);
    if (p)
      return p;
  }
}

extern "C" void *hk_new_fail(size_t size, size_t alignment, int nothrow) {
  if (!nothrow)
    return retry(size, alignment);
  try {
    return retry(size, alignment);
  } catch (const std::bad_alloc &) {
    return nullptr;
  }
}
