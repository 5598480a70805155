/* Outside the fuzz config the harness runs as a plain test: it replays every
 * file of the corpus directories given as arguments, then N seeded random
 * inputs (-runs=N, default 2000) of up to -max_len=M bytes (default 4096), so
 * `bazel test //...` exercises it too. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_dir(const char *dir) {
  DIR *d = opendir(dir);
  int n = 0;
  if (!d)
    return 0;
  for (struct dirent *e; (e = readdir(d));) {
    if (e->d_name[0] == '.')
      continue;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    FILE *f = fopen(path, "rb");
    if (!f)
      continue;
    static uint8_t buf[1 << 16];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, len);
    n++;
  }
  closedir(d);
  return n;
}

int main(int argc, char **argv) {
  long runs = 2000;
  size_t max_len = 4096;
  int files = 0;
  for (int i = 1; i < argc; i++) {
    if (strncmp(argv[i], "-runs=", 6) == 0)
      runs = atol(argv[i] + 6);
    else if (strncmp(argv[i], "-max_len=", 9) == 0)
      max_len = (size_t)atol(argv[i] + 9);
    else if (argv[i][0] != '-')
      files += replay_dir(argv[i]);
  }
  uint64_t s = 0x9E3779B97F4A7C15ULL;
  static uint8_t buf[1 << 16];
  if (max_len < 1 || max_len > sizeof buf)
    max_len = sizeof buf;
  for (long r = 0; r < runs; r++) {
    size_t len = 1 + (size_t)r % max_len;
    for (size_t k = 0; k < len; k++) {
      s ^= s << 13;
      s ^= s >> 7;
      s ^= s << 17;
      buf[k] = (uint8_t)s;
    }
    LLVMFuzzerTestOneInput(buf, len);
  }
  printf("replayed %d corpus files and %ld random inputs\n", files, runs);
  return 0;
}
