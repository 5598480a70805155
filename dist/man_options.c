/* Prints the man page's OPTIONS entries from HK_OPTIONS (roff), so the page
 * cannot fall behind the table. */
#include <stdio.h>

#include "hakmem/core/options.h"

static void entry(const char *name, long def, int live, const char *doc) {
  printf(".TP\n.B HAKMEM_%s\n", name);
  /* roff: a leading ' or . would start a request; backslashes would escape. */
  for (const char *c = doc; *c; c++) {
    if (*c == '\\')
      fputs("\\e", stdout);
    else if (*c == '`')
      fputs("\\(ga", stdout);
    else
      putchar(*c);
  }
  printf(" (default %ld%s)\n", def, live ? "" : "; not changeable at run time");
}

int main(void) {
#define HK_OPT_MAN(NAME, field, def, lo, hi, live, doc) entry(#NAME, (long)(def), live, doc);
  HK_OPTIONS(HK_OPT_MAN)
#undef HK_OPT_MAN
  return 0;
}
