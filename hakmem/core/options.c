#include "hakmem/core/options.h"

#include "hakmem/core/os.h"

hk_options_t hk_opt = {
#define HK_OPT_DEFAULT(NAME, field, def, lo, hi, doc) .field = def,
    HK_OPTIONS(HK_OPT_DEFAULT)
#undef HK_OPT_DEFAULT
};

/* Decimal only; returns 0 on anything else. No strtol: it may touch locale. */
static int parse_long(const char *s, long *out) {
  long v = 0;
  if (*s == '\0')
    return 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9' || v > (1L << 40))
      return 0;
    v = v * 10 + (*s - '0');
  }
  *out = v;
  return 1;
}

static char *fmt_long(char *end, long v) {
  *--end = '\0';
  do {
    *--end = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  return end;
}

static void read_option(const char *name, long *field, long def, long lo, long hi) {
  const char *s = hk_os_getenv(name);
  long v;
  if (!s)
    return;
  if (parse_long(s, &v) && v >= lo && v <= hi) {
    *field = v;
    return;
  }
  char buf[24];
  hk_os_write_err("hakmem: warning: ignoring ");
  hk_os_write_err(name);
  hk_os_write_err("=");
  hk_os_write_err(s);
  hk_os_write_err(" (not a whole number in range); using ");
  hk_os_write_err(fmt_long(buf + sizeof buf, def));
  hk_os_write_err("\n");
  *field = def;
}

static void print_option(const char *name, long v, const char *doc) {
  char buf[24];
  hk_os_write_err("hakmem: ");
  hk_os_write_err(name);
  hk_os_write_err("=");
  hk_os_write_err(fmt_long(buf + sizeof buf, v));
  hk_os_write_err("  # ");
  hk_os_write_err(doc);
  hk_os_write_err("\n");
}

void hk_options_init(void) {
#define HK_OPT_READ(NAME, field, def, lo, hi, doc)                                                 \
  read_option("HAKMEM_" #NAME, &hk_opt.field, def, lo, hi);
  HK_OPTIONS(HK_OPT_READ)
#undef HK_OPT_READ
  if (hk_opt.verbose) {
#define HK_OPT_PRINT(NAME, field, def, lo, hi, doc)                                                \
  print_option("HAKMEM_" #NAME, hk_opt.field, doc);
    HK_OPTIONS(HK_OPT_PRINT)
#undef HK_OPT_PRINT
  }
}
