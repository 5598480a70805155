/* Options: HAKMEM_* environment variables, declared once in HK_OPTIONS.
 *
 * Parsing, HAKMEM_VERBOSE printing, hak_option_get/set and the README's option
 * list all come from this table. Values are read by walking environ at init (no
 * allocation), and until then hold their defaults, so a re-entered malloc
 * during init is safe. A bad value gets a one-line warning on stderr and the
 * default. `live` options may change at run time (hak_option_set, mallopt):
 * they are atomics, read on slow paths only; the others are read once, at init. */
#ifndef HAKMEM_CORE_OPTIONS_H
#define HAKMEM_CORE_OPTIONS_H

/* X(NAME, field, default, min, max, live, doc) */
#define HK_OPTIONS(X)                                                                              \
  X(PREWARM_COUNT, prewarm_count, 16, 0, 1024, 1,                                                  \
    "blocks per tiny class put in a thread's cache at its first allocation; 0 turns it off")       \
  X(REFILL_BATCH, refill_batch, 32, 1, 1024, 1,                                                    \
    "blocks a thread's first refill of a class moves to its cache; each refill doubles it, to "    \
    "half the cache, and each spill halves it")                                                    \
  X(CACHE_BYTES, cache_bytes, 65536, 1024, 16777216, 1,                                            \
    "bytes a thread may cache per size class (at least 8 blocks)")                                 \
  X(PURGE_DELAY_MS, purge_delay_ms, 50, 0, 3600000, 1,                                             \
    "milliseconds an empty slab keeps its memory before it goes back to the OS; 0: at once")       \
  X(LARGE_CACHE_BYTES, large_cache_bytes, 134217728, 0, 1L << 40, 1,                               \
    "bytes of freed large-block mappings kept for reuse")                                          \
  X(LARGE_DECAY_MS, large_decay_ms, 1000, 0, 3600000, 1,                                           \
    "milliseconds over which cached large-block mappings no longer reused go back to the OS; 0: "  \
    "at once")                                                                                     \
  X(BACKGROUND_PURGE, background_purge, 0, 0, 1, 1,                                                \
    "1: a thread gives exited threads' memory back every purge delay (restarted after fork)")      \
  X(SHOW_STATS, show_stats, 0, 0, 2, 1,                                                            \
    "print statistics to stderr at exit: 1 as text, 2 (or `json`) as one JSON object")             \
  X(VERBOSE, verbose, 0, 0, 2, 0, "print the options in force at start-up")                        \
  X(ABORT_ON_ERROR, abort_on_error, 1, 0, 1, 1,                                                    \
    "abort on a misuse found (double or invalid free); 0: report it, leak the block, go on")       \
  X(ZERO_ON_FREE, zero_on_free, 0, 0, 1, 0,                                                        \
    "hardened build: zero small blocks when freed and abort if one is no longer zero when reused")

typedef struct hk_options {
#define HK_OPT_FIELD(NAME, field, def, lo, hi, live, doc) _Atomic long field;
  HK_OPTIONS(HK_OPT_FIELD)
#undef HK_OPT_FIELD
} hk_options_t;

extern hk_options_t hk_opt;

/* Reads every option from the environment; prints them if HAKMEM_VERBOSE. */
void hk_options_init(void);

/* An option by name, with or without the HAKMEM_ prefix, in any case. */
typedef struct hk_option_desc {
  const char *name; /* "HAKMEM_..." */
  _Atomic long *value;
  long lo, hi;
  int live;
} hk_option_desc_t;
/* NULL if there is no such option. */
const hk_option_desc_t *hk_option_find(const char *name);

#endif /* HAKMEM_CORE_OPTIONS_H */
