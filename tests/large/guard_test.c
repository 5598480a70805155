/* Guard pages (hakmem/core/guard.h), hardened build: every large block and span has
 * PROT_NONE pages from its page-rounded end to the end of its mapping or run, and its
 * usable size ends there; through cache reuse (split, merge, growth by mremap), realloc
 * (in place, shrunk, moved; a span shrunk in place) and free, and the count of guards
 * goes back to zero once everything is freed and trimmed. Other builds: no guard, no
 * count. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hakmem/core/guard.h"
#include "hakmem/hakmem.h"
#include "tests/check.h"

#define PAGE ((uintptr_t)4096)

/* The protection of the page at p from /proc/self/maps: 'r' readable, '-' not, 0 unmapped. */
static char perm(uintptr_t p) {
  FILE *f = fopen("/proc/self/maps", "r");
  CHECK(f != NULL);
  char line[512], r = 0;
  while (fgets(line, sizeof line, f)) {
    unsigned long long lo, hi;
    char prot[5];
    if (sscanf(line, "%llx-%llx %4s", &lo, &hi, prot) == 3 && p >= lo && p < hi) {
      r = prot[0];
      break;
    }
  }
  fclose(f);
  return r;
}

/* p, a live block of `size` bytes: usable to its page-rounded end, then a guard. */
static void check_guarded(char *p, size_t size) {
  size_t usable = hak_usable_size(p);
  CHECK(usable >= size);
  if (!HK_GUARD_SIZE)
    return;
  uintptr_t end = ((uintptr_t)p + size + PAGE - 1) & ~(PAGE - 1);
  CHECK_EQ((uintptr_t)p + usable, end);
  p[usable - 1] = 1; /* writable to the guard */
  CHECK_EQ(perm(end - 1), 'r');
  CHECK_EQ(perm(end), '-');
}

int main(void) {
  CHECK(hak_malloc_trim(0) >= 0);
  long live0 = hk_guards_live;
  CHECK_EQ(live0, 0);
  static const size_t sizes[] = {70000, 200000, 1 << 20, 1572864, 2097000, 5 << 20};
  char *blocks[sizeof sizes / sizeof sizes[0]];
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    blocks[i] = hak_malloc(sizes[i]);
    check_guarded(blocks[i], sizes[i]);
  }
  CHECK_EQ(hk_guards_live, HK_GUARD_SIZE ? 6 : 0);
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
    hak_free(blocks[i]);

  /* Cache reuse: a 3 MiB mapping split for 1 MiB (head and tail), merged back on free,
   * then grown by mremap for 7 MiB; each block guarded at its own end. */
  hak_free(hak_malloc(3 << 20));
  char *a = hak_malloc(1 << 20);
  check_guarded(a, 1 << 20);
  hak_free(a);
  a = hak_malloc(7 << 20);
  check_guarded(a, 7 << 20);
  memset(a, 2, 7 << 20);

  /* realloc: moved by mremap (grown), shrunk in place, grown in place. */
  a = hak_realloc(a, 20 << 20);
  check_guarded(a, 20 << 20);
  CHECK(a[(7 << 20) - 1] == 2);
  a = hak_realloc(a, 9 << 20);
  check_guarded(a, 9 << 20);
  a = hak_realloc(a, (9 << 20) + 100000);
  check_guarded(a, (9 << 20) + 100000);
  hak_free(a);

  /* A span shrunk in place: its guard moves to the new end, still one guard. */
  long live = hk_guards_live;
  char *s = hak_malloc(500000);
  check_guarded(s, 500000);
  memset(s, 3, 500000);
  char *t = hak_realloc(s, 200000);
  CHECK(t == s);
  check_guarded(t, 200000);
  CHECK(t[199999] == 3);
  CHECK_EQ(hk_guards_live, live + (HK_GUARD_SIZE ? 1 : 0));
  hak_free(t);

  /* An aligned large block: the guard after it, the alignment kept. */
  char *b = hak_aligned_alloc(4 << 20, 3 << 20);
  CHECK(((uintptr_t)b & ((4 << 20) - 1)) == 0);
  check_guarded(b, 3 << 20);
  hak_free(b);

  /* A block whose page-rounded end is a chunk boundary: its guard is the next
   * chunk's first page, which hak_owns must not read (it crashed there). */
  size_t to_chunk = (4 << 20) - 64;
  char *c = hak_malloc(to_chunk);
  CHECK(((uintptr_t)(c + to_chunk) & ((2 << 20) - 1)) == 0);
  check_guarded(c, to_chunk);
  CHECK(hak_owns(c + to_chunk));
  CHECK(hak_owns(c + to_chunk + 100));
  hak_free(c);

  CHECK(hak_malloc_trim(0) >= 0);
  CHECK_EQ(hk_guards_live, 0);
  printf("guard_test: %s\n", HK_GUARD_SIZE ? "guards checked" : "no guards in this build");
  return 0;
}
