#include "hakmem/core/options.h"

#include <string.h>

#include "hakmem/core/os.h"

hk_options_t hk_opt = {
#define HK_OPT_DEFAULT(NAME, field, def, lo, hi, live, doc) .field = def,
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

/* Words an option takes for a number. */
static int parse_word(const char *name, const char *s, long *out) {
  static const struct {
    const char *option, *word;
    long value;
  } words[] = {{"HAKMEM_SHOW_STATS", "text", 1}, {"HAKMEM_SHOW_STATS", "json", 2}};
  for (unsigned i = 0; i < sizeof words / sizeof words[0]; i++) {
    if (strcmp(name, words[i].option) == 0 && strcmp(s, words[i].word) == 0) {
      *out = words[i].value;
      return 1;
    }
  }
  return 0;
}

/* The warning echoes a bad value as one line a terminal shows as it is: bytes
 * outside printable ASCII (and the backslash) as \xNN, at most SHOWN_MAX bytes
 * of it, then "...". out holds 4 * SHOWN_MAX + 4 bytes. */
#define SHOWN_MAX 64
static const char *escape_value(char *out, const char *s) {
  char *o = out;
  size_t i = 0;
  for (; s[i] && i < SHOWN_MAX; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      *o++ = (char)c;
      continue;
    }
    *o++ = '\\';
    *o++ = 'x';
    *o++ = "0123456789abcdef"[c >> 4];
    *o++ = "0123456789abcdef"[c & 15];
  }
  if (s[i]) {
    memcpy(o, "...", 3);
    o += 3;
  }
  *o = '\0';
  return out;
}

static void read_option(const char *name, _Atomic long *field, long def, long lo, long hi) {
  const char *s = hk_os_getenv(name);
  long v;
  if (!s)
    return;
  if ((parse_long(s, &v) || parse_word(name, s, &v)) && v >= lo && v <= hi) {
    *field = v;
    return;
  }
  char buf[24], shown[4 * SHOWN_MAX + 4];
  hk_os_write_err("hakmem: warning: ignoring ");
  hk_os_write_err(name);
  hk_os_write_err("=");
  hk_os_write_err(escape_value(shown, s));
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
#define HK_OPT_READ(NAME, field, def, lo, hi, live, doc)                                           \
  read_option("HAKMEM_" #NAME, &hk_opt.field, def, lo, hi);
  HK_OPTIONS(HK_OPT_READ)
#undef HK_OPT_READ
  if (hk_opt.verbose) {
#define HK_OPT_PRINT(NAME, field, def, lo, hi, live, doc)                                          \
  print_option("HAKMEM_" #NAME, hk_opt.field, doc);
    HK_OPTIONS(HK_OPT_PRINT)
#undef HK_OPT_PRINT
  }
}

static const hk_option_desc_t option_descs[] = {
#define HK_OPT_DESC(NAME, field, def, lo, hi, live, doc)                                           \
  {"HAKMEM_" #NAME, &hk_opt.field, lo, hi, live},
    HK_OPTIONS(HK_OPT_DESC)
#undef HK_OPT_DESC
};

static int upper(int c) { return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c; }

/* ASCII only: no locale. */
static int same_name(const char *a, const char *b) {
  for (; *a && upper(*a) == upper(*b); a++, b++) {
  }
  return *a == '\0' && *b == '\0';
}

const hk_option_desc_t *hk_option_find(const char *name) {
  for (unsigned i = 0; i < sizeof option_descs / sizeof option_descs[0]; i++) {
    const char *full = option_descs[i].name;
    if (same_name(name, full) || same_name(name, full + sizeof "HAKMEM_" - 1))
      return &option_descs[i];
  }
  return NULL;
}
