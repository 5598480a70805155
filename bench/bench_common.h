/* bench_common.h: small helpers shared by the benchmark workloads.
 *
 * Everything here is static inline: a clock, a seeded xorshift generator, argument
 * parsing that fails loudly, a median, and the one output convention the comparison
 * runner (compare.py) relies on: every workload ends with a line `ops/s: <number>`.
 * Nothing here allocates, so it never perturbs the allocator being measured. */
#ifndef BENCH_BENCH_COMMON_H
#define BENCH_BENCH_COMMON_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Seconds on the monotonic clock. */
static inline double bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Sleeps for a (possibly fractional) number of seconds. */
static inline void bench_sleep(double seconds) {
  struct timespec ts;
  ts.tv_sec = (time_t)seconds;
  ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

/* A generator state from any seed (never zero: xorshift would stay at zero). */
static inline uint64_t bench_seed(uint64_t seed) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return z ? z : 0x2545f4914f6cdd1dull;
}

/* xorshift64*: the next 64 random bits. */
static inline uint64_t bench_rand(uint64_t *state) {
  uint64_t x = *state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *state = x;
  return x * 0x2545f4914f6cdd1dull;
}

/* Uniform in [0, n) without division (multiply-shift on the high 32 bits). */
static inline uint32_t bench_below(uint64_t *state, uint32_t n) {
  return (uint32_t)(((bench_rand(state) >> 32) * (uint64_t)n) >> 32);
}

/* Log-uniform by octave in [lo, hi]: an octave [lo*2^k, lo*2^(k+1)) is picked uniformly,
 * then a size uniformly inside it. lo must be at least 1. */
static inline size_t bench_log_size(uint64_t *state, size_t lo, size_t hi) {
  uint32_t octaves = 0;
  while ((lo << (octaves + 1)) <= hi) {
    octaves++;
  }
  if (octaves == 0) {
    return lo + bench_below(state, (uint32_t)(hi - lo + 1));
  }
  size_t base = lo << bench_below(state, octaves);
  return base + bench_below(state, (uint32_t)base);
}

static inline void bench_die(const char *what) {
  fprintf(stderr, "bench: %s\n", what);
  exit(2);
}

/* Parses a non-negative integer argument; exits with a message if it is not one. */
static inline uint64_t bench_arg_u64(const char *text, const char *name) {
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull(text, &end, 0);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-') {
    fprintf(stderr, "bench: %s must be a non-negative integer, got '%s'\n", name, text);
    exit(2);
  }
  return (uint64_t)v;
}

/* The arguments of the ring-of-slots workloads, `NAME N SEED [SLOTS]`: exits with the
 * usage line on a wrong count and with a message on SLOTS outside 1..max_slots. */
static inline void bench_ring_args(int argc, char **argv, const char *name, uint64_t default_slots,
                                   uint64_t max_slots, uint64_t *n, uint64_t *seed,
                                   uint64_t *nslots) {
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: %s N SEED [SLOTS]\n", name);
    exit(2);
  }
  *n = bench_arg_u64(argv[1], "N");
  *seed = bench_arg_u64(argv[2], "SEED");
  *nslots = argc > 3 ? bench_arg_u64(argv[3], "SLOTS") : default_slots;
  if (*nslots == 0 || *nslots > max_slots) {
    fprintf(stderr, "bench: %s: SLOTS must be in 1..%llu\n", name, (unsigned long long)max_slots);
    exit(2);
  }
}

/* Parses a positive number of seconds (fractions allowed). */
static inline double bench_arg_seconds(const char *text, const char *name) {
  char *end = NULL;
  errno = 0;
  double v = strtod(text, &end);
  if (errno != 0 || end == text || *end != '\0' || !(v > 0.0)) {
    fprintf(stderr, "bench: %s must be a positive number of seconds, got '%s'\n", name, text);
    exit(2);
  }
  return v;
}

/* Median of n values (n <= 64); the array is sorted in place. */
static inline double bench_median(double *v, int n) {
  for (int i = 1; i < n; i++) {
    double x = v[i];
    int j = i - 1;
    while (j >= 0 && v[j] > x) {
      v[j + 1] = v[j];
      j--;
    }
    v[j + 1] = x;
  }
  if (n == 0) {
    return 0.0;
  }
  return (n % 2) ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The line compare.py reads. */
static inline void bench_print_ops(double ops, double seconds) {
  printf("ops/s: %.0f\n", seconds > 0.0 ? ops / seconds : 0.0);
}

/* A barrier the compiler cannot see through: p escapes, memory is clobbered. */
static inline void bench_escape(void *p) { __asm__ volatile("" : : "r"(p) : "memory"); }

#endif /* BENCH_BENCH_COMMON_H */
