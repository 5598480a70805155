#!/usr/bin/env bash
# Coverage of hakmem/ by the fuzz corpora: tools/fuzz_coverage.sh [--html DIR]
#
# Builds every harness with clang source-based coverage through the OSS-Fuzz
# build script (fuzz/oss-fuzz/build.sh, so exactly the flags and sources
# OSS-Fuzz uses) with the replay main in place of libFuzzer, replays each
# harness's corpus and regression inputs once, and prints line and branch
# coverage per file of hakmem/ (llvm-profdata-14, llvm-cov-14), then the lines
# not reached, per file, as ranges. The HTML report goes to DIR (default
# $WORK/html; open DIR/index.html).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO="$PWD"
WORK="${FUZZ_COV_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/hakmem-cov.XXXXXX")}"
html="$WORK/html"
if [[ "${1:-}" == "--html" ]]; then html="${2:?usage: $0 [--html DIR]}"; fi
PROFDATA="$(command -v llvm-profdata-14 || command -v llvm-profdata || true)"
COV="$(command -v llvm-cov-14 || command -v llvm-cov || true)"
[[ -n "$PROFDATA" && -n "$COV" ]] || {
  echo "fuzz_coverage.sh: llvm-profdata/llvm-cov not found (tools/setup.sh installs llvm-14)" >&2
  exit 1
}
HARNESSES=(alloc_ops threads lifecycle options size_class)
FLAGS="-fprofile-instr-generate -fcoverage-mapping -O1 -g"

mkdir -p "$WORK/out" "$WORK/prof"
clang -O1 -c fuzz/replay_main.c -o "$WORK/replay_main.o"
CC=clang CXX=clang++ CFLAGS="$FLAGS" CXXFLAGS="$FLAGS" LIB_FUZZING_ENGINE="$WORK/replay_main.o" \
  SRC="$WORK" WORK="$WORK" OUT="$WORK/out" bash fuzz/oss-fuzz/build.sh >"$WORK/build.log" 2>&1 || {
  cat "$WORK/build.log"
  exit 1
}

objects=()
for h in "${HARNESSES[@]}"; do
  dirs=("$REPO/fuzz/corpus/$h")
  [[ -d "$REPO/fuzz/regressions/$h" ]] && dirs+=("$REPO/fuzz/regressions/$h")
  # -runs=0: the checked-in inputs only, no random ones.
  LLVM_PROFILE_FILE="$WORK/prof/$h.%p.profraw" "$WORK/out/${h}_fuzzer" -runs=0 "${dirs[@]}" |
    sed "s/^/fuzz_coverage.sh: $h: /"
  # llvm-cov takes the first binary as an argument, the others with -object.
  if ((${#objects[@]})); then objects+=(-object); fi
  objects+=("$WORK/out/${h}_fuzzer")
done
"$PROFDATA" merge -sparse "$WORK"/prof/*.profraw -o "$WORK/fuzz.profdata"

sources=()
while IFS= read -r f; do sources+=("$f"); done < <(find hakmem/core hakmem/box hakmem/api -name '*.[ch]' | sort)
echo
"$COV" report "${objects[@]}" -instr-profile="$WORK/fuzz.profdata" -show-region-summary=false \
  -show-instantiation-summary=false "${sources[@]}"
"$COV" show "${objects[@]}" -instr-profile="$WORK/fuzz.profdata" -format=html \
  -show-branches=count -output-dir="$html" "${sources[@]}" >/dev/null

echo
echo "Lines not reached (file: ranges):"
"$COV" export "${objects[@]}" -instr-profile="$WORK/fuzz.profdata" -format=lcov \
  "${sources[@]}" | awk -F'[:,]' '
  /^SF:/ { file = $2; sub(".*/hakmem/", "hakmem/", file); n = 0; next }
  /^DA:/ { if ($3 == 0) { if (n && $2 == last + 1) { last = $2 } else { if (n) out = out sprintf(" %s", range()); first = last = $2; n = 1 } }; next }
  /^end_of_record/ { if (n) out = out sprintf(" %s", range()); if (out != "") print "  " file ":" out; out = ""; n = 0 }
  function range() { return first == last ? first : first "-" last }'
echo
echo "fuzz_coverage.sh: HTML report: $html/index.html"
