// The new_handler loop of operator new ([new.delete.single]): the one part of
// the C++ override that needs C++ (std::get_new_handler, throw, catch).
//
// Every symbol of the C++ runtime this file uses is a weak reference, so
// libhakmem.so needs no libstdc++: preloaded under a C program it loads none
// (libstdc++ and the libm and libgcc_s it needs are 1.2 MiB of resident
// mappings in every process). A C++ program loads the runtime itself, and the
// weak references bind to it. Only a program that had no C++ runtime when
// hakmem was loaded (a C program that later dlopens a C++ plugin) finds them
// unbound: then new_delete.c aborts with a message where it would call here.
#include "hakmem/override/new_fail.h"

#include <new>

#include "hakmem/hakmem.h"

// The symbols the code below and its exception tables refer to. The compiler
// makes some of them itself (the personality routine, the typeinfo), so a
// declaration cannot make them weak; the assembler directive can.
__asm__(".weak __gxx_personality_v0\n"
        ".weak __cxa_allocate_exception\n"
        ".weak __cxa_throw\n"
        ".weak __cxa_begin_catch\n"
        ".weak __cxa_end_catch\n"
        ".weak _Unwind_Resume\n"
        ".weak _ZTISt9bad_alloc\n"
        ".weak _ZTVSt9bad_alloc\n"
        ".weak _ZNSt9bad_allocD1Ev\n"
        ".weak _ZSt15get_new_handlerv\n");

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
