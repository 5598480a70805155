/* options: any bytes as the value of any HAKMEM_* variable, through the
 * option parser the allocator runs at init (hk_options_init over environ).
 *
 * Input: records of an option index byte and a value (bytes up to a NUL or
 * the end; the environment cannot hold a NUL). Each record sets that one
 * variable, runs the parser with stderr captured, and checks: no crash; a
 * whole decimal number in the option's range is taken as it is and not warned
 * about; anything else gives one warning naming the variable and the default;
 * the value in force prints back as itself under HAKMEM_VERBOSE (round trip).
 * A record whose index byte has bit 7 set goes through the run-time API
 * instead (hak_option_set/get by any spelling of the name, mallopt): a value
 * in range is taken by a live option, refused with EINVAL out of range and
 * with EPERM by a start-up option, and reads back as what is in force.
 * The options are the HK_OPTIONS table itself, so a new option is fuzzed
 * without a change here. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include "fuzz/fuzz_common.h"
#include "hakmem/core/options.h"

typedef struct {
  const char *name;
  _Atomic long *field;
  long def, lo, hi;
  int live;
} option_t;

static const option_t options[] = {
#define HKF_OPTION(NAME, field, def, lo, hi, live, doc)                                            \
  {"HAKMEM_" #NAME, &hk_opt.field, def, lo, hi, live},
    HK_OPTIONS(HKF_OPTION)
#undef HKF_OPTION
};
#define OPTIONS (sizeof options / sizeof options[0])

/* The documented syntax: decimal digits, or a word an option takes for a
 * number (HAKMEM_SHOW_STATS=text or json), in range. */
static int reference_parse(const char *s, const option_t *o, long *out) {
  static const struct {
    const char *option, *word;
    long value;
  } words[] = {{"HAKMEM_SHOW_STATS", "text", 1}, {"HAKMEM_SHOW_STATS", "json", 2}};
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
    if (strcmp(o->name, words[i].option) == 0 && strcmp(s, words[i].word) == 0) {
      *out = words[i].value;
      return 1;
    }
  long v = 0;
  if (!*s)
    return 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9')
      return 0;
    if (v > o->hi) /* already out of range: no overflow */
      return 0;
    v = v * 10 + (*s - '0');
  }
  if (v < o->lo || v > o->hi)
    return 0;
  *out = v;
  return 1;
}

/* Runs the parser with stderr going to a pipe; returns what it wrote. */
static char out_buf[1 << 16];
static const char *parse_captured(void) {
  int fds[2];
  if (pipe2(fds, O_NONBLOCK) != 0)
    hkf_fail("pipe failed", NULL, 0);
  int saved = dup(2);
  dup2(fds[1], 2);
  hk_options_init();
  dup2(saved, 2);
  close(saved);
  close(fds[1]);
  ssize_t got = read(fds[0], out_buf, sizeof out_buf - 1);
  close(fds[0]);
  out_buf[got > 0 ? got : 0] = '\0';
  return out_buf;
}

/* The environment the parser sees: at most two variables, in static buffers
 * (glibc's setenv never frees a replaced value: it would grow without bound). */
extern char **environ;
static char var[2][8192];
static char *env[3];
static void set_env(const char *name, const char *value, const char *name2, const char *value2) {
  snprintf(var[0], sizeof var[0], "%s=%s", name, value);
  env[0] = var[0];
  env[1] = NULL;
  if (name2) {
    snprintf(var[1], sizeof var[1], "%s=%s", name2, value2);
    env[1] = var[1];
  }
  env[2] = NULL;
  environ = env;
}

/* The value printed for o under HAKMEM_VERBOSE must be the value in force. */
static void check_printed(const char *out, const option_t *o) {
  char key[64];
  snprintf(key, sizeof key, "hakmem: %s=", o->name);
  /* The last line that starts with it: the list is printed after any
   * warning, and a warning echoes a value that may look like a line of it. */
  const char *at = NULL;
  for (const char *l = out; l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
    if (strncmp(l, key, strlen(key)) == 0)
      at = l;
  HKF_CHECK(at, "HAKMEM_VERBOSE did not print an option", NULL, 0);
  char *end;
  long v = strtol(at + strlen(key), &end, 10);
  HKF_CHECK(v == *o->field && end[0] == ' ', "an option does not print back as its value", NULL,
            (size_t)v);
}

static void one(const option_t *o, const char *value, const hk_options_t *defaults) {
  hk_opt = *defaults; /* the parser leaves an unset option as it was */
  set_env(o->name, value, NULL, NULL);
  const char *out = parse_captured();
  long want;
  char warn[64];
  snprintf(warn, sizeof warn, "hakmem: warning: ignoring %s=", o->name);
  if (reference_parse(value, o, &want)) {
    HKF_CHECK(*o->field == want, "a good value was not taken as it is", NULL, (size_t)want);
    HKF_CHECK(!strstr(out, "warning"), "a good value was warned about", NULL, (size_t)want);
  } else {
    HKF_CHECK(*o->field == o->def, "a bad value did not give the default", NULL, (size_t)*o->field);
    HKF_CHECK(strncmp(out, warn, strlen(warn)) == 0, "a bad value was not warned about", NULL, 0);
    /* One line of printable bytes, however long or strange the value. */
    const char *nl = strchr(out, '\n');
    HKF_CHECK(nl && !nl[1], "a bad value gave more than one line", NULL, 0);
    HKF_CHECK(nl - out < 512, "a bad value gave an unbounded warning", NULL, (size_t)(nl - out));
    for (const char *c = out; c < nl; c++)
      HKF_CHECK(*c >= 0x20 && *c < 0x7f, "a warning echoed a control byte", NULL,
                (size_t)(unsigned char)*c);
  }
  /* The round trip: what is in force prints as itself. */
  long in_force = *o->field;
  if (strcmp(o->name, "HAKMEM_VERBOSE") != 0) {
    set_env(o->name, value, "HAKMEM_VERBOSE", "1");
    out = parse_captured();
    HKF_CHECK(*o->field == in_force, "parsing the same value twice gave two results", NULL, 0);
    check_printed(out, o);
  } else if (hk_opt.verbose) {
    check_printed(out, o);
  }
}

/* The run-time API over the same table: hak_option_set/get by any spelling of
 * the name, mallopt, and names that are not options. */
static void runtime(const option_t *o, const uint8_t *v, size_t n) {
  long value = 0;
  for (size_t i = 0; i < n && i < 8; i++)
    value = (long)((unsigned long)value << 8 | v[i]);
  if (n && (v[0] & 1))
    value = o->lo + value % (o->hi - o->lo + 1 > 0 ? o->hi - o->lo + 1 : 1); /* often in range */
  char name[64];
  const char *plain = o->name + strlen("HAKMEM_");
  switch (n ? v[n - 1] % 3 : 0) {
  case 0:
    snprintf(name, sizeof name, "%s", o->name);
    break;
  case 1:
    snprintf(name, sizeof name, "%s", plain);
    break;
  default:
    for (size_t i = 0; i <= strlen(plain); i++)
      name[i] = (char)(plain[i] >= 'A' && plain[i] <= 'Z' ? plain[i] - 'A' + 'a' : plain[i]);
  }
  long before = *o->field, got = -1;
  errno = 0;
  int rc = hak_option_set(name, value);
  if (value < o->lo || value > o->hi)
    HKF_CHECK(rc == -1 && errno == EINVAL, "hak_option_set took a value out of range", NULL, 0);
  else if (!o->live)
    HKF_CHECK(rc == -1 && errno == EPERM, "hak_option_set changed a start-up option", NULL, 0);
  else
    HKF_CHECK(rc == 0, "hak_option_set refused a good value", NULL, (size_t)value);
  HKF_CHECK(hak_option_get(name, &got) == 0 && got == (rc == 0 ? value : before),
            "hak_option_get does not give what is in force", NULL, (size_t)got);
  errno = 0;
  HKF_CHECK(hak_option_get("HAKMEM_NO_SUCH_OPTION", &got) == -1 && errno == ENOENT,
            "an unknown option name was found", NULL, 0);
  int param = n > 1 ? (int)(int8_t)v[1] : 0;
  int ivalue = (int)value;
  int want = param == M_MXFAST ? (unsigned long)ivalue <= 160 : 1; /* glibc's answers */
  if (param != M_TRIM_THRESHOLD)
    HKF_CHECK(hak_mallopt(param, ivalue) == want, "mallopt gave the wrong answer", NULL,
              (size_t)param);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static hk_options_t saved;
  static int have_saved;
  char **saved_env = environ;
  if (!have_saved) {
    saved = hk_opt;
    have_saved = 1;
  }
  static char value[4096];
  size_t i = 0;
  while (i < size) {
    unsigned head = data[i++];
    const option_t *o = &options[(head & 0x7f) % OPTIONS];
    size_t n = 0;
    while (i < size && data[i] && n < sizeof value - 1)
      value[n++] = (char)data[i++];
    value[n] = '\0';
    i++;             /* the NUL */
    if (head & 0x80) /* the run-time API */
      runtime(o, (const uint8_t *)value, n);
    else
      one(o, value, &saved);
  }
  environ = saved_env;
  hk_opt = saved;
  return 0;
}
