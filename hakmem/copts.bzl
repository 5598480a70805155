"""Compiler options shared by every hakmem target.

The Phase 7 feature flags and the release flag come from --define values set by
the .bazelrc configs, so that one flag can be turned off on the command line to
measure its effect.
"""

load("//hakmem/plant:plant.bzl", "plant_copts")

HK_COPTS = select({
    "//hakmem:header_on": ["-DHAKMEM_HEADER_CLASSIDX=1"],
    "//conditions:default": ["-DHAKMEM_HEADER_CLASSIDX=0"],
}) + select({
    "//hakmem:prewarm_on": ["-DHAKMEM_PREWARM_TLS=1"],
    "//conditions:default": ["-DHAKMEM_PREWARM_TLS=0"],
}) + select({
    "//hakmem:inline_on": ["-DHAKMEM_AGGRESSIVE_INLINE=1"],
    "//conditions:default": ["-DHAKMEM_AGGRESSIVE_INLINE=0"],
}) + select({
    "//hakmem:hardened": ["-DHAKMEM_HARDENED=1"],
    "//conditions:default": ["-DHAKMEM_HARDENED=0"],
}) + select({
    "//hakmem:release": ["-DHAKMEM_BUILD_RELEASE=1"],
    "//conditions:default": ["-DHAKMEM_BUILD_RELEASE=0"],
}) + plant_copts() + [
    # The allocator must never have its own malloc/memset idioms rewritten into
    # calls to malloc/calloc (infinite recursion under LD_PRELOAD).
    "-fno-builtin-malloc",
    "-fno-builtin-calloc",
    "-fno-builtin-free",
    "-fno-builtin-realloc",
    "-fvisibility=hidden",
    "-ftls-model=initial-exec",
]
