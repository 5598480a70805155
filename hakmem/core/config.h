/* Build flags and tunables. Every flag is 0/1 and set by the Bazel configs
 * (hakmem/copts.bzl); a missing flag means the pre-Phase-7 baseline. */
#ifndef HAKMEM_CORE_CONFIG_H
#define HAKMEM_CORE_CONFIG_H

#ifndef HAKMEM_HEADER_CLASSIDX
#define HAKMEM_HEADER_CLASSIDX 0
#endif
#ifndef HAKMEM_PREWARM_TLS
#define HAKMEM_PREWARM_TLS 0
#endif
#ifndef HAKMEM_AGGRESSIVE_INLINE
#define HAKMEM_AGGRESSIVE_INLINE 0
#endif
#ifndef HAKMEM_BUILD_RELEASE
#define HAKMEM_BUILD_RELEASE 0
#endif
/* --config=hardened: safe-linked free lists, a free bit in each block's header
 * (double free), block checks on the free fast path. */
#ifndef HAKMEM_HARDENED
#define HAKMEM_HARDENED 0
#endif

/* Sanitizers: ASan needs manual poisoning of memory hakmem maps itself. */
#if defined(__SANITIZE_ADDRESS__)
#define HK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HK_ASAN 1
#endif
#endif
#ifndef HK_ASAN
#define HK_ASAN 0
#endif

#if HAKMEM_AGGRESSIVE_INLINE
#define HK_HOT static inline __attribute__((always_inline))
#else
#define HK_HOT static inline
#endif
#define HK_NOINLINE    __attribute__((noinline))
#define HK_COLD        __attribute__((noinline, cold))
#define HK_LIKELY(x)   __builtin_expect(!!(x), 1)
#define HK_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define HK_API         __attribute__((visibility("default")))
/* A function that only scans memory (statistics): no sanitizer-coverage
 * callbacks, which cost a fuzzer more than the scan and tell it nothing. */
#if defined(__clang__)
#define HK_NO_COVERAGE __attribute__((noinline, no_sanitize("coverage")))
#elif defined(__has_attribute) && __has_attribute(no_sanitize_coverage)
#define HK_NO_COVERAGE __attribute__((noinline, no_sanitize_coverage))
#else
#define HK_NO_COVERAGE __attribute__((noinline))
#endif

/* Bytes of class header before each small block: the header is the last byte of
 * the previous slot, so blocks stay 16-byte aligned and a block's usable size
 * is its stride minus this. */
#define HK_HDR HAKMEM_HEADER_CLASSIDX

/* Geometry. A SuperSlab is a 2 MiB aligned region of 32 units of 64 KiB; a slab
 * is a run of units serving one size class. */
#define HK_SS_SHIFT     21
#define HK_SS_SIZE      ((size_t)1 << HK_SS_SHIFT)
#define HK_UNIT_SHIFT   16
#define HK_UNIT_SIZE    ((size_t)1 << HK_UNIT_SHIFT)
#define HK_UNITS_PER_SS ((int)(HK_SS_SIZE / HK_UNIT_SIZE))
#define HK_ALIGN        16
#define HK_PAGE_SIZE    ((size_t)4096) /* spans and large mappings are whole pages */

/* Tunables (defaults; options may override the ones read at init). */
#define HK_PREWARM_COUNT_DEFAULT 16          /* blocks per tiny class at thread start */
#define HK_REFILL_BATCH_DEFAULT  32          /* blocks moved slab -> thread cache */
#define HK_CACHE_BYTES_DEFAULT   (64 * 1024) /* per-class thread cache cap, in bytes */

#endif /* HAKMEM_CORE_CONFIG_H */
