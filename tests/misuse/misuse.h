/* One misuse per program (tests/misuse/): each announces the address it is about
 * to misuse as "addr=0x..." on stderr, then commits the misuse through the plain
 * malloc API, so the same program runs under any allocator (LD_PRELOAD). */
#ifndef HAKMEM_TESTS_MISUSE_H
#define HAKMEM_TESTS_MISUSE_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* These programs misuse memory on purpose. */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic ignored "-Wuse-after-free"
#endif
#pragma GCC diagnostic ignored "-Wfree-nonheap-object"
#pragma GCC diagnostic ignored "-Warray-bounds"

static inline void *announce(void *p) {
  fprintf(stderr, "addr=%p\n", p);
  fflush(stderr);
  return p;
}
/* The compiler must not see through the misuse. */
static inline void *opaque(void *p) {
  __asm__ volatile("" : "+r"(p));
  return p;
}
/* Two blocks of `size` bytes, the second right after the first (same class). */
static inline void adjacent(size_t size, char **first, char **second) {
  char *a[64];
  for (int i = 0; i < 64; i++)
    a[i] = malloc(size);
  for (int i = 0; i < 64; i++)
    for (int j = 0; j < 64; j++)
      if (a[j] > a[i] && (size_t)(a[j] - a[i]) <= size + 32 && (size_t)(a[j] - a[i]) >= size) {
        *first = a[i];
        *second = a[j];
        return;
      }
  fprintf(stderr, "no adjacent blocks\n");
  exit(3);
}
#define DONE() (fprintf(stderr, "returned without aborting\n"), 0)
#endif
