/* Guard pages, hardened build only: the pages from a large block's or a span's
 * page-rounded end to the end of its mapping or run of units are PROT_NONE, so
 * a linear overflow past the block faults at once (SIGSEGV) instead of running
 * into the next block, span or mapping. The block stays where it is (at the
 * start of its mapping or run), so every alignment the block had holds, and
 * realloc still grows a large block in place by mremap. Its usable size ends
 * where its guard starts.
 *
 * A guarded range is readable and writable below its boundary and PROT_NONE
 * from there to its end; moving the boundary is one mprotect. Callers: large.c
 * (also for the cache of freed mappings, which keep their guard) and span.c.
 * Not on the hot path. Other builds: no guard, and these cost nothing. */
#ifndef HAKMEM_CORE_GUARD_H
#define HAKMEM_CORE_GUARD_H

#include <stdatomic.h>
#include <stdint.h>

#include "hakmem/core/config.h"
#include "hakmem/core/debug.h"
#include "hakmem/core/os.h"

#if HAKMEM_HARDENED
#define HK_GUARD_SIZE ((size_t)4096) /* the least a mapping or run reserves past its block */
#else
#define HK_GUARD_SIZE ((size_t)0)
#endif

/* Where the usable bytes of the block [p, p + size) end: at its guard, its
 * page-rounded end (hardened), else at `end`, the end of its mapping or run. */
static inline char *hk_guard_start(const void *p, size_t size, char *end) {
  if (!HK_GUARD_SIZE)
    return end;
  return (char *)(((uintptr_t)p + size + HK_GUARD_SIZE - 1) & ~(uintptr_t)(HK_GUARD_SIZE - 1));
}

/* Moves the boundary of a guarded range from `from` to `to` (page aligned,
 * inside the range; the range's end for no guard). 0, or -1 with errno: only
 * a guard made where there was none splits a mapping, and that fails (ENOMEM)
 * when the process is at its limit of mappings (vm.max_map_count). */
static inline int hk_guard_move(char *from, char *to) {
  if (!HK_GUARD_SIZE || from == to)
    return 0;
  if (from < to)
    return hk_os_protect(from, (size_t)(to - from), 1);
  return hk_os_protect(to, (size_t)(from - to), 0);
}

/* Guarded ranges in the process (live blocks and cached mappings): each costs
 * two lines of /proc/self/maps, so past HK_GUARD_MAX new blocks go unguarded
 * and half of vm.max_map_count (65530 by default) stays for the program's own
 * mappings, thread stacks and libraries. */
#define HK_GUARD_MAX 16384
extern _Atomic long hk_guards_live;
static inline void hk_guards_add(long n) {
  atomic_fetch_add_explicit(&hk_guards_live, n, memory_order_relaxed);
}

/* Opens the guard of the range ending at `end` (for mremap, a merge, a free):
 * a merge of mappings, which cannot fail for want of them. */
static inline void hk_guard_open(char *from, char *end) {
  if (!HK_GUARD_SIZE || from == end)
    return;
  if (hk_guard_move(from, end) != 0)
    hk_fatal("mprotect failed", from);
  hk_guards_add(-1);
}

/* Moves the guard of the range ending at `end` to `to`, or makes one there if
 * it has none (from == end). Past HK_GUARD_MAX, or if the OS refuses, the
 * range goes unguarded instead: a block is still handed out, as in the other
 * builds. Returns where its usable bytes end: `to`, or `end`. */
static inline char *hk_guard_try(char *from, char *to, char *end) {
  if (!HK_GUARD_SIZE || from == to)
    return to;
  if (to == end) {
    hk_guard_open(from, end);
    return end;
  }
  int made = from == end;
  if (made && atomic_load_explicit(&hk_guards_live, memory_order_relaxed) >= HK_GUARD_MAX)
    return end;
  if (hk_guard_move(from, to) != 0) {
    hk_guard_open(from, end);
    return end;
  }
  hk_guards_add(made);
  return to;
}

/* The range ending at `end` whose guard starts at *guard keeps only what is
 * below `cut` (the rest is unmapped, or cut = its start: all of it): a guard
 * from the cut on goes with it. */
static inline void hk_guard_cut(char **guard, char *cut, char *end) {
  if (*guard < cut)
    return;
  if (HK_GUARD_SIZE && *guard < end)
    hk_guards_add(-1);
  *guard = cut;
}

#endif /* HAKMEM_CORE_GUARD_H */
