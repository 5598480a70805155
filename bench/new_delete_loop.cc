// new_delete_loop: pair_loop.c for C++, the instruction-count probe of
// operator new and delete.
//
//   new_delete_loop SIZE ITERS [sized|unsized]
//
// ITERS times: p = ::operator new(SIZE); ::operator delete(p, SIZE) (sized, the
// default, what a delete-expression of a complete type calls) or
// ::operator delete(p) (unsized), with one more block of SIZE live throughout.
// compare.py --callgrind and the fast-path guard run it under callgrind with the
// allocator LD_PRELOADed (libstdc++'s own operator new calls malloc).
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <new>

#include "bench/bench_common.h"

int main(int argc, char **argv) {
  if (argc != 3 && argc != 4) {
    fprintf(stderr, "usage: new_delete_loop SIZE ITERS [sized|unsized]\n");
    return 2;
  }
  size_t size = static_cast<size_t>(bench_arg_u64(argv[1], "SIZE"));
  uint64_t iters = bench_arg_u64(argv[2], "ITERS");
  bool sized = argc == 3 || strcmp(argv[3], "sized") == 0;
  if (argc == 4 && !sized && strcmp(argv[3], "unsized") != 0) {
    fprintf(stderr, "new_delete_loop: the third argument is sized or unsized\n");
    return 2;
  }
  void *anchor = ::operator new(size);
  bench_escape(anchor);
  if (sized) {
    for (uint64_t i = 0; i < iters; i++) {
      void *p = ::operator new(size);
      bench_escape(p);
      ::operator delete(p, size);
    }
  } else {
    for (uint64_t i = 0; i < iters; i++) {
      void *p = ::operator new(size);
      bench_escape(p);
      ::operator delete(p);
    }
  }
  ::operator delete(anchor, size);
  return 0;
}
