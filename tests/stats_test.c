/* Statistics and reports: hak_stats_get (size check, version, per-class and
 * per-range counts moving with tiny, mid and large allocations, remote frees),
 * malloc_info's XML, mallinfo2, malloc_stats, and HAKMEM_SHOW_STATS=1 printing a
 * report at exit (a child process: this binary run again with another
 * environment, its stderr captured through a pipe).
 *
 * Default config: the malloc override; sanitizer configs: hak_*. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/check.h"
#include "tests/stats_check.h"
#include "tests/entry_points.h"

#define MIB ((size_t)1 << 20)

extern char **environ;

/* The smallest class whose blocks hold n bytes. */
static unsigned class_of(const hak_stats_t *s, size_t n) {
  for (unsigned c = 0; c < s->num_classes; c++)
    if (s->classes[c].block_size >= n)
      return c;
  CHECK(0);
  return 0;
}

static long long delta(uint64_t after, uint64_t before) {
  return (long long)after - (long long)before;
}

/* A size below sizeof(hak_stats_t) is rejected with EINVAL and nothing past
 * the size field is written. */
static void rejects_small_size(void) {
  const size_t bad[] = {0, 1, sizeof(size_t), offsetof(hak_stats_t, classes),
                        sizeof(hak_stats_t) - 1};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    hak_stats_t s;
    memset(&s, 0xAB, sizeof s);
    s.size = bad[i];
    errno = 0;
    int rc = hak_stats_get(&s);
    if (rc != -1 || errno != EINVAL) {
      fprintf(stderr, "hak_stats_get with size %zu = %d errno %d; want -1 and EINVAL\n", bad[i], rc,
              errno);
      CHECK(0);
    }
    CHECK_EQ(s.size, bad[i]);
    const unsigned char *c = (const unsigned char *)&s;
    for (size_t k = sizeof s.size; k < sizeof s; k++)
      if (c[k] != 0xAB) {
        fprintf(stderr, "hak_stats_get with size %zu wrote byte %zu\n", bad[i], k);
        CHECK(0);
      }
  }
  /* A caller's buffer exactly as small as it says: the real malloc's, which
   * is ASan's under --config=asan, so that it sees any overrun. */
  size_t *tiny = malloc(sizeof(size_t) + 8);
  CHECK(tiny != NULL);
  tiny[0] = sizeof(size_t) + 8;
  errno = 0;
  CHECK_EQ(hak_stats_get((hak_stats_t *)(void *)tiny), -1);
  CHECK_EQ(errno, EINVAL);
  free(tiny);
}

/* The per-class table describes the blocks malloc hands out. */
static void class_table(void) {
  hak_stats_t s = checked_stats();
  hak_build_info_t info;
  hak_build_info(&info);
  CHECK_EQ(info.num_classes, HAK_STATS_CLASSES);
  CHECK(s.classes[0].block_size >= 8);
  for (unsigned c = 1; c < s.num_classes; c++)
    CHECK(s.classes[c].block_size > s.classes[c - 1].block_size);
  CHECK(s.classes[s.num_classes - 1].block_size >= info.small_max);
  CHECK(s.classes[class_of(&s, info.tiny_max)].block_size >= info.tiny_max);
  /* malloc_usable_size of a block is its class's block size (under ASan the
   * request, as ASan's own allocator answers). */
  for (size_t n = 1; n <= info.small_max; n += (n < 1100 ? 1 : 97)) {
    void *p = T_MALLOC(n);
    CHECK(p != NULL);
    size_t usable = T_USABLE_SIZE(p);
    uint64_t want = s.classes[class_of(&s, n)].block_size;
#ifdef HK_TEST_ASAN
    want = n;
#endif
    if (usable != want) {
      fprintf(stderr, "malloc(%zu): usable %zu, class block size %llu\n", n, usable,
              (unsigned long long)want);
      CHECK(0);
    }
    T_FREE(p);
  }
  CHECK(checked_stats().heaps >= 1); /* this thread's, made by the allocations above */
}

/* Allocating `count` blocks of n bytes moves the class's blocks out, refills
 * and bytes in use by about count (less what the thread cache held or keeps:
 * `slack` blocks); freeing them moves them back (spills). */
static void class_counts(size_t n, int count, int slack) {
  void **blocks = T_MALLOC((size_t)count * sizeof(void *));
  CHECK(blocks != NULL);
  hak_stats_t s0 = checked_stats();
  unsigned c = class_of(&s0, n);
  uint64_t bs = s0.classes[c].block_size;
  for (int i = 0; i < count; i++) {
    blocks[i] = T_MALLOC(n);
    CHECK(blocks[i] != NULL);
    memset(blocks[i], 1, n);
  }
  hak_stats_t s1 = checked_stats();
  long long out = delta(s1.classes[c].blocks_out, s0.classes[c].blocks_out);
  long long bytes = delta(s1.small_bytes_in_use, s0.small_bytes_in_use);
  long long refills = delta(s1.classes[c].refills, s0.classes[c].refills);
  fprintf(stderr,
          "%d x %zu bytes (class %u, %llu-byte blocks): blocks out +%lld, refills +%lld, "
          "small bytes in use +%lld\n",
          count, n, c, (unsigned long long)bs, out, refills, bytes);
  CHECK(out >= count - slack && out <= count + slack);
  CHECK(refills >= 1);
  CHECK(bytes >= (long long)((uint64_t)(count - slack) * bs));
  CHECK(delta(s1.bytes_in_use, s0.bytes_in_use) >= (long long)((uint64_t)(count - slack) * bs));
  CHECK(s1.bytes_in_use_peak >= s1.bytes_in_use);
  for (int i = 0; i < count; i++)
    T_FREE(blocks[i]);
  hak_stats_t s2 = checked_stats();
  long long back = delta(s2.classes[c].blocks_out, s1.classes[c].blocks_out);
  long long spills = delta(s2.classes[c].spills, s1.classes[c].spills);
  fprintf(stderr, "  freed: blocks out %lld, spills +%lld, small bytes in use %lld\n", back, spills,
          delta(s2.small_bytes_in_use, s1.small_bytes_in_use));
  CHECK(back <= -(count - slack));
  CHECK(spills >= 1);
  CHECK(delta(s2.small_bytes_in_use, s0.small_bytes_in_use) <= (long long)(slack * bs));
  CHECK(s2.bytes_in_use_peak >= s1.bytes_in_use);
  T_FREE(blocks);
}

/* A large block shows in the large counters while it lives. */
static void large_counts(void) {
  hak_stats_t s0 = checked_stats();
  void *p = T_MALLOC(5 * MIB);
  CHECK(p != NULL);
  memset(p, 1, 5 * MIB);
  hak_stats_t s1 = checked_stats();
  CHECK_EQ(delta(s1.large_allocs, s0.large_allocs), 1);
  CHECK_EQ(delta(s1.large_frees, s0.large_frees), 0);
  CHECK(delta(s1.large_bytes_in_use, s0.large_bytes_in_use) >= (long long)(5 * MIB));
  CHECK(delta(s1.bytes_in_use, s0.bytes_in_use) >= (long long)(5 * MIB));
  CHECK(s1.bytes_in_use_peak >= s0.bytes_in_use + 5 * MIB);
  CHECK(s1.os_mapped >= s1.large_bytes_in_use);
  T_FREE(p);
  hak_stats_t s2 = checked_stats();
  CHECK_EQ(delta(s2.large_frees, s1.large_frees), 1);
  CHECK_EQ(s2.large_bytes_in_use, s0.large_bytes_in_use);
  CHECK(s2.bytes_in_use_peak >= s1.bytes_in_use);
}

/* Blocks freed by a thread other than their owner's count as remote frees. */
enum { REMOTE = 3000, REMOTE_SIZE = 48 };
static void *remote_blocks[REMOTE];
static pthread_barrier_t handed, freed;

static void *owner(void *arg) {
  (void)arg;
  for (int i = 0; i < REMOTE; i++) {
    remote_blocks[i] = T_MALLOC(REMOTE_SIZE);
    CHECK(remote_blocks[i] != NULL);
  }
  pthread_barrier_wait(&handed);
  pthread_barrier_wait(&freed);
  /* Enough allocations of the class to refill, which collects remote frees. */
  static void *again[2 * REMOTE];
  for (int i = 0; i < 2 * REMOTE; i++) {
    again[i] = T_MALLOC(REMOTE_SIZE);
    CHECK(again[i] != NULL);
  }
  for (int i = 0; i < 2 * REMOTE; i++)
    T_FREE(again[i]);
  return NULL;
}

static void remote_counts(void) {
  hak_stats_t s0 = checked_stats();
  unsigned c = class_of(&s0, REMOTE_SIZE);
  CHECK_EQ(pthread_barrier_init(&handed, NULL, 2), 0);
  CHECK_EQ(pthread_barrier_init(&freed, NULL, 2), 0);
  pthread_t t;
  CHECK_EQ(pthread_create(&t, NULL, owner, NULL), 0);
  pthread_barrier_wait(&handed);
  for (int i = 0; i < REMOTE; i++)
    T_FREE(remote_blocks[i]);
  pthread_barrier_wait(&freed);
  CHECK_EQ(pthread_join(t, NULL), 0);
  hak_stats_t s1 = checked_stats();
  long long remote = delta(s1.classes[c].remote_frees, s0.classes[c].remote_frees);
  fprintf(stderr, "%d blocks freed by another thread: remote frees +%lld\n", REMOTE, remote);
  CHECK(remote >= REMOTE);
  CHECK(s1.heaps >= s0.heaps);
  pthread_barrier_destroy(&handed);
  pthread_barrier_destroy(&freed);
}

/* A small XML checker: one root element, balanced tags, quoted attributes.
 * Calls visit() for each start tag with its name and raw attribute text. */
typedef void (*visit_fn)(const char *name, size_t name_len, const char *attrs, size_t attrs_len,
                         void *ctx);

static int is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || c == ':';
}

static int xml_well_formed(const char *x, visit_fn visit, void *ctx, char *err, size_t errlen) {
  enum { DEPTH = 32 };
  const char *stack[DEPTH];
  size_t stack_len[DEPTH];
  int depth = 0, roots = 0;
  const char *p = x;
  while (*p) {
    if (*p != '<') {
      if (depth == 0 && *p != ' ' && *p != '\n' && *p != '\t' && *p != '\r') {
        snprintf(err, errlen, "text outside the root at offset %td", p - x);
        return 0;
      }
      if (*p == '&' || *p == '>') {
        snprintf(err, errlen, "unescaped '%c' at offset %td", *p, p - x);
        return 0;
      }
      p++;
      continue;
    }
    p++;
    int closing = 0;
    if (*p == '/') {
      closing = 1;
      p++;
    }
    const char *name = p;
    while (is_name_char(*p))
      p++;
    size_t name_len = (size_t)(p - name);
    if (name_len == 0 || (name[0] >= '0' && name[0] <= '9') || name[0] == '-') {
      snprintf(err, errlen, "bad tag name at offset %td", name - x);
      return 0;
    }
    if (closing) {
      if (*p != '>') {
        snprintf(err, errlen, "junk in closing tag at offset %td", p - x);
        return 0;
      }
      p++;
      if (depth == 0 || stack_len[depth - 1] != name_len ||
          memcmp(stack[depth - 1], name, name_len) != 0) {
        snprintf(err, errlen, "mismatched </%.*s> at offset %td", (int)name_len, name, name - x);
        return 0;
      }
      depth--;
      continue;
    }
    const char *attrs = p;
    /* Attributes: (ws name="value")* */
    for (;;) {
      const char *ws = p;
      while (*p == ' ' || *p == '\n' || *p == '\t')
        p++;
      if (*p == '>' || (*p == '/' && p[1] == '>'))
        break;
      if (p == ws) {
        snprintf(err, errlen, "no space before an attribute at offset %td", p - x);
        return 0;
      }
      const char *an = p;
      while (is_name_char(*p))
        p++;
      if (p == an || *p != '=' || p[1] != '"') {
        snprintf(err, errlen, "bad attribute at offset %td", an - x);
        return 0;
      }
      p += 2;
      while (*p && *p != '"' && *p != '<' && *p != '&')
        p++;
      if (*p != '"') {
        snprintf(err, errlen, "unterminated attribute value at offset %td", an - x);
        return 0;
      }
      p++;
    }
    if (visit)
      visit(name, name_len, attrs, (size_t)(p - attrs), ctx);
    if (depth == 0)
      roots++;
    if (*p == '/') {
      p += 2; /* empty element */
      continue;
    }
    p++;
    if (depth == DEPTH) {
      snprintf(err, errlen, "nested too deep");
      return 0;
    }
    stack[depth] = name;
    stack_len[depth++] = name_len;
  }
  if (depth != 0) {
    snprintf(err, errlen, "%d elements left open", depth);
    return 0;
  }
  if (roots != 1) {
    snprintf(err, errlen, "%d root elements", roots);
    return 0;
  }
  return 1;
}

/* The value of attribute `key` in raw attribute text, or -1. */
static long long attr_num(const char *attrs, size_t len, const char *key) {
  char pat[64];
  snprintf(pat, sizeof pat, " %s=\"", key);
  size_t pl = strlen(pat);
  for (size_t i = 0; i + pl <= len; i++) {
    if (memcmp(attrs + i, pat, pl) == 0 ||
        (attrs[i] == '\n' && memcmp(attrs + i + 1, pat + 1, pl - 1) == 0)) {
      long long v = 0;
      const char *q = attrs + i + pl;
      if (*q < '0' || *q > '9')
        return -1;
      while (*q >= '0' && *q <= '9')
        v = v * 10 + (*q++ - '0');
      return v;
    }
  }
  return -1;
}

static int attr_is(const char *attrs, size_t len, const char *key, const char *value) {
  char pat[96];
  snprintf(pat, sizeof pat, "%s=\"%s\"", key, value);
  size_t pl = strlen(pat);
  for (size_t i = 0; i + pl <= len; i++)
    if (memcmp(attrs + i, pat, pl) == 0)
      return 1;
  return 0;
}

typedef struct info_seen {
  size_t probe; /* a size with many live blocks */
  long long probe_count;
  long long mmap_count, mmap_size;
  int sizes;
} info_seen_t;

static void visit_info(const char *name, size_t name_len, const char *attrs, size_t len,
                       void *ctx) {
  info_seen_t *seen = ctx;
  if (name_len == 4 && memcmp(name, "size", 4) == 0) {
    seen->sizes++;
    long long from = attr_num(attrs, len, "from"), to = attr_num(attrs, len, "to");
    long long count = attr_num(attrs, len, "count");
    CHECK(from >= 0 && to >= from && count >= 0);
    if ((size_t)from <= seen->probe && seen->probe <= (size_t)to)
      seen->probe_count += count;
  } else if (name_len == 5 && memcmp(name, "total", 5) == 0 &&
             attr_is(attrs, len, "type", "mmap")) {
    seen->mmap_count = attr_num(attrs, len, "count");
    seen->mmap_size = attr_num(attrs, len, "size");
  }
}

static char *read_stream(FILE *f) {
  CHECK_EQ(fseek(f, 0, SEEK_END), 0);
  long len = ftell(f);
  CHECK(len > 0);
  rewind(f);
  char *buf = T_MALLOC((size_t)len + 1);
  CHECK(buf != NULL);
  CHECK_EQ(fread(buf, 1, (size_t)len, f), (size_t)len);
  buf[len] = '\0';
  return buf;
}

/* malloc_info(0, f): well-formed XML with hakmem's version, listing the live
 * blocks by size and the large ones as mmap; other options: EINVAL. */
static void malloc_info_xml(void) {
  enum { N = 4000, SIZE = 700 };
  static void *blocks[N];
  for (int i = 0; i < N; i++)
    blocks[i] = T_MALLOC(SIZE);
  void *big = T_MALLOC(6 * MIB);
  CHECK(big != NULL);
  FILE *f = tmpfile();
  CHECK(f != NULL);
  CHECK_EQ(T_MALLOC_INFO(0, f), 0);
  char *xml = read_stream(f);
  fclose(f);
  const char *prefix = "<malloc version=\"hakmem-";
  if (strncmp(xml, prefix, strlen(prefix)) != 0) {
    fprintf(stderr, "malloc_info does not start with %s:\n%.200s\n", prefix, xml);
    CHECK(0);
  }
  char err[160];
  info_seen_t seen = {.probe = SIZE, .mmap_count = -1, .mmap_size = -1};
  if (!xml_well_formed(xml, visit_info, &seen, err, sizeof err)) {
    fprintf(stderr, "malloc_info XML: %s\n%s\n", err, xml);
    CHECK(0);
  }
  size_t len = strlen(xml);
  CHECK(len > 10 && strcmp(xml + len - 10, "</malloc>\n") == 0);
  fprintf(stderr,
          "malloc_info: %zu bytes of XML, %d <size> entries, %lld blocks holding %d bytes, "
          "mmap count %lld size %lld\n",
          len, seen.sizes, seen.probe_count, SIZE, seen.mmap_count, seen.mmap_size);
  CHECK(seen.probe_count >= N);
  CHECK(seen.mmap_count >= 1);
  CHECK(seen.mmap_size >= (long long)(6 * MIB));
  T_FREE(xml);
  for (int i = 0; i < N; i++)
    T_FREE(blocks[i]);
  T_FREE(big);

  /* The checker itself rejects what it must. */
  CHECK(!xml_well_formed("<a><b></a></b>", NULL, NULL, err, sizeof err));
  CHECK(!xml_well_formed("<a x=1/>", NULL, NULL, err, sizeof err));
  CHECK(!xml_well_formed("<a/><b/>", NULL, NULL, err, sizeof err));
  CHECK(!xml_well_formed("<a>", NULL, NULL, err, sizeof err));
  CHECK(xml_well_formed("<a x=\"1\">\n<b y=\"2\" z=\"3\"/>t</a>\n", NULL, NULL, err, sizeof err));

  f = tmpfile();
  CHECK(f != NULL);
  errno = 0;
  CHECK_EQ(T_MALLOC_INFO(1, f), -1);
  CHECK_EQ(errno, EINVAL);
  fclose(f);
}

/* mallinfo2, shaped as glibc's: a large block (a mapping of its own) shows in
 * hblks and hblkhd, small blocks in uordblks. */
static void mallinfo2_fields(void) {
  struct mallinfo2 m0 = T_MALLINFO2();
  void *big = T_MALLOC(24 * MIB);
  CHECK(big != NULL);
  struct mallinfo2 m1 = T_MALLINFO2();
  fprintf(stderr,
          "mallinfo2 with a 24 MiB block: hblks %zu -> %zu, hblkhd %zu -> %zu, "
          "uordblks %zu -> %zu\n",
          m0.hblks, m1.hblks, m0.hblkhd, m1.hblkhd, m0.uordblks, m1.uordblks);
  CHECK_EQ(m1.hblks, m0.hblks + 1);
  CHECK(m1.hblkhd >= m0.hblkhd + 24 * MIB);
  T_FREE(big);
  struct mallinfo2 m2 = T_MALLINFO2();
  CHECK_EQ(m2.hblks, m0.hblks);
  CHECK_EQ(m2.hblkhd, m0.hblkhd);

  enum { N = 20000 };
  static void *blocks[N];
  for (int i = 0; i < N; i++)
    blocks[i] = T_MALLOC(1000);
  struct mallinfo2 m3 = T_MALLINFO2();
  fprintf(stderr, "mallinfo2 with %d 1000-byte blocks: uordblks %zu -> %zu, arena %zu\n", N,
          m2.uordblks, m3.uordblks, m3.arena);
  CHECK(m3.uordblks >= m2.uordblks + (size_t)N * 1000 - MIB);
  CHECK(m3.arena >= m3.uordblks);
  for (int i = 0; i < N; i++)
    T_FREE(blocks[i]);
  T_MALLOC_TRIM(0);
  struct mallinfo2 m4 = T_MALLINFO2();
  CHECK(m4.uordblks + (size_t)N * 1000 - MIB <= m3.uordblks);
}

/* The child: allocate, free, say it is done, return from main. */
static const char done_marker[] = "stats_test child: main returns\n";

static int child_main(const char *mode) {
  enum { N = 5000 };
  static void *blocks[N];
  for (int i = 0; i < N; i++) {
    blocks[i] = T_MALLOC(200);
    CHECK(blocks[i] != NULL);
  }
  void *big = T_MALLOC(3 * MIB);
  CHECK(big != NULL);
  if (strcmp(mode, "--malloc-stats") == 0)
    T_MALLOC_STATS();
  for (int i = 0; i < N; i++)
    T_FREE(blocks[i]);
  T_FREE(big);
  CHECK_EQ(write(2, done_marker, sizeof done_marker - 1), (ssize_t)(sizeof done_marker - 1));
  return 0;
}

/* Runs this binary again with `mode` and one HAKMEM_* setting (or none); every
 * other HAKMEM_* variable is dropped. Returns its stderr. */
static char *run_child(const char *mode, const char *setting) {
  static char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  CHECK(n > 0);
  exe[n] = '\0';
  size_t count = 0;
  while (environ[count])
    count++;
  char **env = T_CALLOC(count + 2, sizeof(char *));
  CHECK(env != NULL);
  size_t k = 0;
  for (size_t i = 0; i < count; i++)
    if (strncmp(environ[i], "HAKMEM_", 7) != 0)
      env[k++] = environ[i];
  if (setting)
    env[k++] = (char *)setting;
  env[k] = NULL;
  int fds[2];
  CHECK_EQ(pipe(fds), 0);
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    char *argv[] = {exe, (char *)mode, NULL};
    execve(exe, argv, env);
    _exit(127);
  }
  close(fds[1]);
  size_t cap = 1 << 16, len = 0;
  char *out = T_MALLOC(cap);
  CHECK(out != NULL);
  for (;;) {
    if (len + 1 == cap) {
      cap *= 2;
      out = T_REALLOC(out, cap);
      CHECK(out != NULL);
    }
    ssize_t got = read(fds[0], out + len, cap - len - 1);
    if (got < 0 && errno == EINTR)
      continue;
    CHECK(got >= 0);
    if (got == 0)
      break;
    len += (size_t)got;
  }
  out[len] = '\0';
  close(fds[0]);
  int status = 0;
  CHECK_EQ(waitpid(pid, &status, 0), pid);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "child %s with %s failed (status %#x); its stderr:\n%s\n", mode,
            setting ? setting : "no HAKMEM_*", status, out);
    CHECK(0);
  }
  T_FREE(env);
  return out;
}

static int count_lines(const char *s, size_t len) {
  int lines = 0;
  for (size_t i = 0; i < len; i++)
    lines += s[i] == '\n';
  return lines;
}

/* Every line of s[0, len) starts with "hakmem". */
static int all_hakmem_lines(const char *s, size_t len) {
  for (size_t i = 0; i < len;) {
    if (len - i < 6 || strncmp(s + i, "hakmem", 6) != 0)
      return 0;
    while (i < len && s[i] != '\n')
      i++;
    i++;
  }
  return 1;
}

static void show(const char *what, const char *out) {
  fprintf(stderr, "--- child stderr, %s ---\n%s--- end ---\n", what, out);
}

static void exit_reports(void) {
  /* Without the option: nothing but the marker. */
  char *out = run_child("--work", NULL);
  if (strcmp(out, done_marker) != 0) {
    show("no HAKMEM_SHOW_STATS", out);
    CHECK(0);
  }
  T_FREE(out);
  out = run_child("--work", "HAKMEM_SHOW_STATS=0");
  if (strcmp(out, done_marker) != 0) {
    show("HAKMEM_SHOW_STATS=0", out);
    CHECK(0);
  }
  T_FREE(out);

  /* HAKMEM_SHOW_STATS=1: a report after main returns, each line hakmem's. */
  out = run_child("--work", "HAKMEM_SHOW_STATS=1");
  show("HAKMEM_SHOW_STATS=1", out);
  CHECK(strncmp(out, done_marker, strlen(done_marker)) == 0);
  const char *report = out + strlen(done_marker);
  size_t report_len = strlen(report);
  CHECK(count_lines(report, report_len) >= 2);
  CHECK(report[report_len - 1] == '\n');
  CHECK(all_hakmem_lines(report, report_len));
  T_FREE(out);

  /* A bad value: one line of warning (naming the variable), then the default. */
  out = run_child("--work", "HAKMEM_SHOW_STATS=banana");
  show("HAKMEM_SHOW_STATS=banana", out);
  const char *marker = strstr(out, done_marker);
  CHECK(marker != NULL);
  CHECK(strcmp(marker, done_marker) == 0); /* no report after main */
  size_t warn_len = (size_t)(marker - out);
  CHECK_EQ(count_lines(out, warn_len), 1);
  CHECK(memmem(out, warn_len, "HAKMEM_SHOW_STATS", 17) != NULL);
  CHECK(all_hakmem_lines(out, warn_len));
  T_FREE(out);

  /* A value with a newline, control bytes and 200 more bytes: still one line,
   * the bytes escaped, the value cut short (it cannot forge a line). */
  static char forged[300] = "HAKMEM_SHOW_STATS=x\nhakmem: forged\x1b[2J\\";
  memset(forged + strlen(forged), 'y', 200);
  out = run_child("--work", forged);
  show("HAKMEM_SHOW_STATS=<newline, escapes, 200 bytes>", out);
  marker = strstr(out, done_marker);
  CHECK(marker != NULL);
  warn_len = (size_t)(marker - out);
  CHECK_EQ(count_lines(out, warn_len), 1);
  CHECK(strstr(out, "=x\\x0ahakmem: forged\\x1b[2J\\x5cyyy") != NULL);
  CHECK(strstr(out, "yyy... (not a whole number") != NULL);
  CHECK(warn_len < 512);
  for (size_t i = 0; i + 1 < warn_len; i++)
    CHECK(out[i] >= 0x20 && out[i] < 0x7f);
  T_FREE(out);

  /* malloc_stats(): a report on stderr while the blocks live, none at exit. */
  out = run_child("--malloc-stats", NULL);
  show("malloc_stats()", out);
  marker = strstr(out, done_marker);
  CHECK(marker != NULL);
  CHECK(strcmp(marker, done_marker) == 0);
  CHECK(count_lines(out, (size_t)(marker - out)) >= 2);
  CHECK(all_hakmem_lines(out, (size_t)(marker - out)));
  T_FREE(out);

  /* HAKMEM_VERBOSE=1: the options in force, one line each, at start-up. */
  out = run_child("--work", "HAKMEM_VERBOSE=1");
  show("HAKMEM_VERBOSE=1", out);
  marker = strstr(out, done_marker);
  CHECK(marker != NULL);
  static const char *const names[] = {
      "HAKMEM_PREWARM_COUNT=", "HAKMEM_REFILL_BATCH=", "HAKMEM_SHOW_STATS=0", "HAKMEM_VERBOSE=1"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    const char *at = strstr(out, names[i]);
    if (!at || at > marker) {
      fprintf(stderr, "HAKMEM_VERBOSE=1 did not print %s before main returned\n", names[i]);
      CHECK(0);
    }
  }
  T_FREE(out);
}

int main(int argc, char **argv) {
  if (argc == 2)
    return child_main(argv[1]);
  fprintf(stderr, "stats_test (%s)\n", T_API_NAME);
  rejects_small_size();
  class_table();
  hak_build_info_t info;
  hak_build_info(&info);
  class_counts(200, 20000, 1024); /* tiny */
  class_counts(10000, 2000, 128); /* mid */
  class_counts(info.tiny_max, 5000, 512);
  class_counts(info.small_max, 500, 64);
  large_counts();
  remote_counts();
  malloc_info_xml();
  mallinfo2_fields();
  exit_reports();
  fprintf(stderr, "stats_test: passed\n");
  return 0;
}
