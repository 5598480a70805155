/* libFuzzer harness: random malloc/calloc/realloc/aligned/free sequences through
 * the thread cache (pre-warmed where the build pre-warms), with every live
 * block carrying a pattern that is checked before it is freed or resized, and
 * cross-thread frees through a second thread every few inputs.
 *
 * Input bytes are a program: each op is an opcode byte, a slot byte and two
 * size bytes. */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hakmem/hakmem.h"

#define SLOTS 64

typedef struct {
  unsigned char *p;
  size_t n;
  unsigned char tag;
} slot_t;

static void fail(const char *why) {
  (void)why;
  abort();
}

/* The bytes of a block the pattern covers: its first and last 256 and one in
 * every 4096 between (enough to see two blocks overlap, cheap for big ones). */
#define EDGE 256
static size_t next_byte(size_t i, size_t n) {
  return (i + 1 < EDGE || i + 1 >= n - EDGE || n < 2 * EDGE)
             ? i + 1
             : (i + 4096 < n - EDGE ? i + 4096 : n - EDGE);
}

static void stamp(slot_t *s) {
  for (size_t i = 0; i < s->n; i = next_byte(i, s->n))
    s->p[i] = (unsigned char)(s->tag + i);
}

static void verify(const slot_t *s) {
  for (size_t i = 0; i < s->n; i = next_byte(i, s->n))
    if (s->p[i] != (unsigned char)(s->tag + i))
      fail("pattern");
}

static size_t size_of(const uint8_t *b) {
  unsigned v = (unsigned)b[0] | (unsigned)b[1] << 8;
  /* Mostly tiny, sometimes mid, rarely large. */
  if ((v & 0xF000) == 0xF000)
    return (size_t)(v & 0x0FFF) * 64; /* up to 256 KiB */
  if (v & 0x8000)
    return v & 0x7FFF;
  return v & 0x7FF;
}

static void *free_remote(void *arg) {
  slot_t *s = arg;
  for (int i = 0; i < SLOTS; i++)
    if (s[i].p) {
      verify(&s[i]);
      hak_free(s[i].p);
    }
  return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  slot_t slots[SLOTS] = {{0}};
  for (size_t i = 0; i + 4 <= size; i += 4) {
    slot_t *s = &slots[data[i + 1] % SLOTS];
    size_t n = size_of(data + i + 2);
    unsigned op = data[i] % 6;
    if (s->p && op != 3) {
      verify(s);
      hak_free(s->p);
      s->p = NULL;
    }
    switch (op) {
    case 0:
    case 1:
      s->p = hak_malloc(n);
      break;
    case 2:
      s->p = hak_calloc(1, n);
      if (!s->p)
        break;
      for (size_t k = 0; k < n; k = next_byte(k, n))
        if (s->p[k])
          fail("calloc not zero");
      break;
    case 3: { /* realloc keeps the common prefix */
      size_t old = s->p ? s->n : 0;
      if (s->p)
        verify(s);
      unsigned char *q = hak_realloc(s->p, n);
      if (n == 0) {
        s->p = NULL; /* freed */
        continue;
      }
      if (!q)
        fail("realloc");
      s->p = q;
      size_t keep = old < n ? old : n;
      for (size_t k = 0; k < keep; k = next_byte(k, old))
        if (q[k] != (unsigned char)(s->tag + k))
          fail("realloc lost data");
      break;
    }
    case 4: {
      size_t align = (size_t)1 << (data[i + 1] % 13);
      s->p = hak_aligned_alloc(align, n);
      if (s->p && ((uintptr_t)s->p % align))
        fail("alignment");
      break;
    }
    default:
      continue; /* free only */
    }
    if (!s->p)
      fail("out of memory");
    if ((uintptr_t)s->p % 16)
      fail("16-byte alignment");
    if (hak_usable_size(s->p) < n)
      fail("usable size");
    s->n = n;
    s->tag = data[i];
    stamp(s);
  }
  /* Every eighth input frees its survivors on another thread (remote frees). */
  if (size % 8 == 0) {
    pthread_t th;
    if (pthread_create(&th, NULL, free_remote, slots) == 0) {
      pthread_join(th, NULL);
      return 0;
    }
  }
  free_remote(slots);
  return 0;
}
