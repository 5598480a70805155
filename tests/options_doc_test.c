/* The README's option table comes from HK_OPTIONS: every row the table makes
 * must stand in README.md word for word. Run with --print to get the rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hakmem/core/options.h"
#include "tests/check.h"

static char readme[1 << 16];

int main(int argc, char **argv) {
  int print = argc > 1 && strcmp(argv[1], "--print") == 0;
  if (!print) {
    FILE *f = fopen("README.md", "r");
    CHECK(f != NULL);
    size_t n = fread(readme, 1, sizeof readme - 1, f);
    fclose(f);
    readme[n] = '\0';
  }
  char row[512];
  int missing = 0;
#define HK_OPT_ROW(NAME, field, def, lo, hi, live, doc)                                            \
  snprintf(row, sizeof row, "| `HAKMEM_%s` | %ld | %s%s |", #NAME, (long)(def), doc,               \
           live ? "" : " (not changeable at run time)");                                           \
  if (print)                                                                                       \
    puts(row);                                                                                     \
  else if (!strstr(readme, row)) {                                                                 \
    fprintf(stderr, "README.md lacks the row:\n%s\n", row);                                        \
    missing++;                                                                                     \
  }
  HK_OPTIONS(HK_OPT_ROW)
#undef HK_OPT_ROW
  CHECK_EQ(missing, 0);
  return 0;
}
