/* random_mixed: the design note's benchmark, hakmem and the system malloc side by side.
 *
 *   random_mixed                       7 sizes, N = 10M each, a table with the ratio
 *   random_mixed N SIZE SEED [SLOTS [REPS]]
 *
 * Workload: a ring of SLOTS slots (default 1024) starts empty. Each op picks a slot with a
 * seeded xorshift; if the slot holds a block it is freed, else SIZE bytes are allocated,
 * one byte per 64 B cache line is written (offsets 0, 64, 128, ... below SIZE) and the
 * block is stored in the slot. N ops are timed; the blocks left in the ring are freed
 * after the clock stops. About half the slots are full in the steady state.
 *
 * hakmem (hak_malloc/hak_free) and the system malloc run in the same process, in turn
 * (ABAB... with the order swapped every repetition), REPS times each (default 5); the
 * median ops/s of each is printed. No untimed warm-up: the first repetition pays each
 * allocator's cold start, the median mostly does not.
 *
 * A sixth argument `hak` runs hakmem alone (bench/phase7.sh counts its instructions).
 *
 * Built with -DBENCH_SYS_ONLY (target random_mixed_sys) it measures only plain
 * malloc/free, for the comparison runner to LD_PRELOAD other allocators under it. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_common.h"
#ifndef BENCH_SYS_ONLY
#include "hakmem/hakmem.h"
#endif

enum { RM_DEFAULT_SLOTS = 1024, RM_DEFAULT_REPS = 5, RM_MAX_REPS = 64 };

/* One timed run. always_inline with constant function arguments: every instantiation
 * calls its allocator directly, there is no function pointer left in the loop. */
static inline __attribute__((always_inline)) double rm_run(void *(*alloc_fn)(size_t),
                                                           void (*free_fn)(void *), void **slots,
                                                           uint32_t nslots, uint64_t n, size_t size,
                                                           uint64_t seed) {
  uint64_t rng = bench_seed(seed);
  double t0 = bench_now();
  for (uint64_t i = 0; i < n; i++) {
    uint32_t k = bench_below(&rng, nslots);
    void *p = slots[k];
    if (p != NULL) {
      free_fn(p);
      slots[k] = NULL;
    } else {
      p = alloc_fn(size);
      if (__builtin_expect(p == NULL, 0)) {
        bench_die("random_mixed: allocation failed");
      }
      volatile unsigned char *b = (volatile unsigned char *)p;
      for (size_t off = 0; off < size; off += 64) {
        b[off] = (unsigned char)i;
      }
      slots[k] = p;
    }
  }
  double elapsed = bench_now() - t0;
  for (uint32_t k = 0; k < nslots; k++) {
    if (slots[k] != NULL) {
      free_fn(slots[k]);
      slots[k] = NULL;
    }
  }
  return elapsed;
}

static double rm_run_sys(void **slots, uint32_t nslots, uint64_t n, size_t size, uint64_t seed) {
  return rm_run(malloc, free, slots, nslots, n, size, seed);
}

#ifndef BENCH_SYS_ONLY
static double rm_run_hak(void **slots, uint32_t nslots, uint64_t n, size_t size, uint64_t seed) {
  return rm_run(hak_malloc, hak_free, slots, nslots, n, size, seed);
}

/* Median ops/s of hakmem and of the system malloc, interleaved run by run. */
static void rm_compare(void **slots, uint32_t nslots, uint64_t n, size_t size, uint64_t seed,
                       int reps, double *hak_ops, double *sys_ops) {
  double hak[RM_MAX_REPS];
  double sys[RM_MAX_REPS];
  for (int r = 0; r < reps; r++) {
    if (r % 2 == 0) {
      hak[r] = (double)n / rm_run_hak(slots, nslots, n, size, seed);
      sys[r] = (double)n / rm_run_sys(slots, nslots, n, size, seed);
    } else {
      sys[r] = (double)n / rm_run_sys(slots, nslots, n, size, seed);
      hak[r] = (double)n / rm_run_hak(slots, nslots, n, size, seed);
    }
  }
  *hak_ops = bench_median(hak, reps);
  *sys_ops = bench_median(sys, reps);
}

static void rm_print_build(void) {
  hak_build_info_t info;
  hak_build_info(&info);
  printf("hakmem build: header_classidx=%d prewarm_tls=%d aggressive_inline=%d release=%d\n",
         info.header_classidx, info.prewarm_tls, info.aggressive_inline, info.release);
}
#endif

static void **rm_slots(uint32_t nslots) {
  void **slots = calloc(nslots, sizeof(void *));
  if (slots == NULL) {
    bench_die("random_mixed: cannot allocate the slot ring");
  }
  return slots;
}

static void rm_usage(void) {
  fprintf(stderr,
          "usage: random_mixed [N SIZE SEED [SLOTS [REPS [both|hak]]]]\n"
          "  N ops on a ring of SLOTS slots (default %d): free the slot's block if any,\n"
          "  else allocate SIZE bytes; median of REPS runs (default %d, at most %d);\n"
          "  'hak' runs hakmem alone (for callgrind)\n",
          RM_DEFAULT_SLOTS, RM_DEFAULT_REPS, RM_MAX_REPS);
  exit(2);
}

int main(int argc, char **argv) {
  uint32_t nslots = RM_DEFAULT_SLOTS;
  int reps = RM_DEFAULT_REPS;
  if (argc != 1 && (argc < 4 || argc > 7)) {
    rm_usage();
  }
  if (argc >= 5) {
    uint64_t s = bench_arg_u64(argv[4], "SLOTS");
    if (s == 0 || s > (1u << 30)) {
      bench_die("random_mixed: SLOTS must be in 1..2^30");
    }
    nslots = (uint32_t)s;
  }
  if (argc >= 6) {
    uint64_t r = bench_arg_u64(argv[5], "REPS");
    if (r == 0 || r > RM_MAX_REPS) {
      bench_die("random_mixed: REPS must be in 1..64");
    }
    reps = (int)r;
  }
  void **slots = rm_slots(nslots);

  if (argc == 1) {
#ifdef BENCH_SYS_ONLY
    static const size_t sizes[] = {128, 256, 512, 1024, 16, 64, 4096};
    const uint64_t n = 10000000;
    printf("random_mixed (system malloc): N=%llu slots=%u seed=42, median of %d\n",
           (unsigned long long)n, nslots, reps);
    printf("| size | system M ops/s |\n|---:|---:|\n");
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
      double v[RM_MAX_REPS];
      for (int r = 0; r < reps; r++) {
        v[r] = (double)n / rm_run_sys(slots, nslots, n, sizes[i], 42);
      }
      printf("| %zu | %.1f |\n", sizes[i], bench_median(v, reps) / 1e6);
      fflush(stdout);
    }
#else
    static const size_t sizes[] = {128, 256, 512, 1024, 16, 64, 4096};
    const uint64_t n = 10000000;
    rm_print_build();
    printf("random_mixed: N=%llu per run, slots=%u, seed=42, median of %d runs, "
           "hakmem and system interleaved\n\n",
           (unsigned long long)n, nslots, reps);
    printf("| size (B) | hakmem M ops/s | system M ops/s | hakmem / system |\n");
    printf("|---:|---:|---:|---:|\n");
    fflush(stdout);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
      double hak = 0.0;
      double sys = 0.0;
      rm_compare(slots, nslots, n, sizes[i], 42, reps, &hak, &sys);
      printf("| %zu | %.1f | %.1f | %.2f |\n", sizes[i], hak / 1e6, sys / 1e6, hak / sys);
      fflush(stdout);
    }
#endif
    free(slots);
    return 0;
  }

  uint64_t n = bench_arg_u64(argv[1], "N");
  uint64_t size = bench_arg_u64(argv[2], "SIZE");
  uint64_t seed = bench_arg_u64(argv[3], "SEED");
  if (n == 0) {
    bench_die("random_mixed: N must be positive");
  }
  if (size > ((uint64_t)1 << 32)) {
    bench_die("random_mixed: SIZE must be at most 4 GiB");
  }
#ifdef BENCH_SYS_ONLY
  double v[RM_MAX_REPS];
  for (int r = 0; r < reps; r++) {
    v[r] = (double)n / rm_run_sys(slots, nslots, n, (size_t)size, seed);
  }
  double sys = bench_median(v, reps);
  printf("random_mixed: N=%llu size=%llu seed=%llu slots=%u, median of %d\n", (unsigned long long)n,
         (unsigned long long)size, (unsigned long long)seed, nslots, reps);
  printf("ops/s: %.0f\n", sys);
#else
  double hak = 0.0;
  double sys = 0.0;
  rm_print_build();
  if (argc == 7 && strcmp(argv[6], "hak") == 0) {
    double v[RM_MAX_REPS];
    for (int r = 0; r < reps; r++) {
      v[r] = (double)n / rm_run_hak(slots, nslots, n, (size_t)size, seed);
    }
    printf("hakmem ops/s: %.0f\n", bench_median(v, reps));
    free(slots);
    return 0;
  }
  if (argc == 7 && strcmp(argv[6], "both") != 0) {
    rm_usage();
  }
  printf("random_mixed: N=%llu size=%llu seed=%llu slots=%u, median of %d, interleaved\n",
         (unsigned long long)n, (unsigned long long)size, (unsigned long long)seed, nslots, reps);
  rm_compare(slots, nslots, n, (size_t)size, seed, reps, &hak, &sys);
  printf("hakmem: %.2f M ops/s\nsystem: %.2f M ops/s\nhakmem / system: %.2f\n", hak / 1e6,
         sys / 1e6, hak / sys);
  printf("hakmem ops/s: %.0f\nsystem ops/s: %.0f\n", hak, sys);
#endif
  free(slots);
  return 0;
}
