#include "hakmem/core/misuse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "hakmem/core/options.h"
#include "hakmem/core/os.h"
#include "hakmem/core/size_class.h"

/* A small bounded string builder: nothing here may allocate. */
typedef struct {
  char buf[256];
  size_t n;
} line_t;

static void put(line_t *l, const char *s) {
  size_t k = strlen(s);
  if (k > sizeof l->buf - 1 - l->n)
    k = sizeof l->buf - 1 - l->n;
  memcpy(l->buf + l->n, s, k);
  l->n += k;
}

static void put_num(line_t *l, uintptr_t v, unsigned base) {
  char tmp[24], *p = tmp + sizeof tmp;
  *--p = '\0';
  do {
    *--p = "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  if (base == 16)
    put(l, "0x");
  put(l, p);
}

void hk_misuse(const char *what, const void *addr, const char *detail, unsigned cls, size_t size) {
  line_t l = {.n = 0};
  int open = 0;
  if (cls < HK_SLAB_CLASSES && size == 0)
    size = hk_class_usable(cls);
  put(&l, "hakmem: ");
  put(&l, what);
  put(&l, " of ");
  put_num(&l, (uintptr_t)addr, 16);
  if (detail) {
    put(&l, " (");
    put(&l, detail);
    open = 1;
  }
  if (cls < HK_SLAB_CLASSES) {
    put(&l, open ? ", class " : " (class ");
    put_num(&l, cls, 10);
    open = 1;
  }
  if (size) {
    put(&l, open ? ", " : " (");
    put_num(&l, size, 10);
    put(&l, " bytes");
    open = 1;
  }
  if (open)
    put(&l, ")");
  if (l.n == sizeof l.buf - 1)
    l.n--; /* truncated: the line still ends */
  put(&l, "\n");
  l.buf[l.n] = '\0';
  hk_os_write_err(l.buf);
  if (hk_opt.abort_on_error)
    abort();
}
