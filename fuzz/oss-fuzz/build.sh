#!/bin/bash -eu
set -euo pipefail
# Builds every fuzz harness as OSS-Fuzz and ClusterFuzzLite do: plain $CC calls
# over the sources with the flags they pass in ($CC, $CFLAGS, $CXX, $CXXFLAGS,
# $LIB_FUZZING_ENGINE, $OUT, $WORK), no Bazel, so the sanitizer and coverage
# flags reach every file. Puts in $OUT, per harness <name>: <name>_fuzzer,
# <name>_fuzzer.dict, <name>_fuzzer.options and <name>_fuzzer_seed_corpus.zip.
#
# The repository is $SRC/hakmem when that holds hakmem/, else the directory
# two levels above this script (a checkout run by hand or by the test
# fuzz:oss_fuzz_build_test).

: "${CC:?}" "${CXX:?}" "${OUT:?}" "${LIB_FUZZING_ENGINE:?}"
CFLAGS="${CFLAGS:-}"
CXXFLAGS="${CXXFLAGS:-$CFLAGS}"
WORK="${WORK:-$(mktemp -d)}"

if [[ -n "${SRC:-}" && -d "$SRC/hakmem/hakmem" ]]; then
  REPO="$SRC/hakmem"
else
  REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
fi
cd "$REPO"

# The developer build's flags (.bazelrc and hakmem/copts.bzl): the Phase 7
# features on, debug checks on.
HK_FLAGS=(
  -std=c11 -I. -Ihakmem/include
  -DHAKMEM_HEADER_CLASSIDX=1 -DHAKMEM_PREWARM_TLS=1 -DHAKMEM_AGGRESSIVE_INLINE=1
  -DHAKMEM_BUILD_RELEASE=0
  -fno-builtin-malloc -fno-builtin-calloc -fno-builtin-free -fno-builtin-realloc
  -fvisibility=hidden -ftls-model=initial-exec
)
# The allocator without the malloc override (a sanitizer owns malloc).
LIB_SRCS=(hakmem/core/*.c hakmem/box/*.c hakmem/api/*.c)
HARNESSES=(alloc_ops threads lifecycle options size_class)

OBJ="$WORK/hakmem-obj"
mkdir -p "$OBJ" "$OUT"
objs=()
for src in "${LIB_SRCS[@]}"; do
  obj="$OBJ/$(echo "$src" | tr / _).o"
  # shellcheck disable=SC2086 # CFLAGS is a list of flags
  $CC $CFLAGS "${HK_FLAGS[@]}" -c "$src" -o "$obj"
  objs+=("$obj")
done

for name in "${HARNESSES[@]}"; do
  # shellcheck disable=SC2086
  $CC $CFLAGS "${HK_FLAGS[@]}" -c "fuzz/${name}_fuzzer.c" -o "$OBJ/${name}_fuzzer.o"
  # shellcheck disable=SC2086
  $CXX $CXXFLAGS "$OBJ/${name}_fuzzer.o" "${objs[@]}" $LIB_FUZZING_ENGINE -lpthread \
    -o "$OUT/${name}_fuzzer"
  cp "fuzz/${name}.dict" "$OUT/${name}_fuzzer.dict"
  cp "fuzz/${name}.options" "$OUT/${name}_fuzzer.options"
  rm -f "$OUT/${name}_fuzzer_seed_corpus.zip"
  python3 - "$OUT/${name}_fuzzer_seed_corpus.zip" "fuzz/corpus/$name" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for f in sorted(os.listdir(sys.argv[2])):
        z.write(os.path.join(sys.argv[2], f), f)
PY
done
echo "build.sh: ${#HARNESSES[@]} harnesses in $OUT"
