#!/usr/bin/env bash
# Runs fuzz/oss-fuzz/build.sh with the variables OSS-Fuzz sets (clang, ASan,
# libFuzzer; SRC, WORK and OUT temporary folders), checks what lands in $OUT
# (each harness's binary, dictionary, options and seed zip), then runs every
# binary for at least 300 inputs from its unpacked seeds.
#
# build.sh compiles the repository's own sources (it must see every file, as
# OSS-Fuzz does): the test finds the checkout through its runfile's link; the
# libraries in its data make Bazel rerun it when a source changes.
set -euo pipefail

if [[ "${1:-}" == "--skip-sanitizer" ]]; then
  echo "skipped: build.sh builds with its own sanitizer flags (default config only)"
  exit 0
fi
command -v clang >/dev/null || {
  echo "skipped: no clang"
  exit 0
}

script="$(readlink -f fuzz/oss-fuzz/build.sh)"
tmp="${TEST_TMPDIR:-$(mktemp -d)}/ossfuzz"
rm -rf "$tmp"
mkdir -p "$tmp/src" "$tmp/work" "$tmp/out"
CC=clang CXX=clang++ CFLAGS=-fsanitize=address,fuzzer-no-link CXXFLAGS= \
  LIB_FUZZING_ENGINE=-fsanitize=fuzzer SRC="$tmp/src" WORK="$tmp/work" OUT="$tmp/out" \
  bash "$script"

harnesses=(alloc_ops threads lifecycle options size_class)
fail=0
for h in "${harnesses[@]}"; do
  for f in "${h}_fuzzer" "${h}_fuzzer.dict" "${h}_fuzzer.options" "${h}_fuzzer_seed_corpus.zip"; do
    [[ -s "$tmp/out/$f" ]] || {
      echo "FAIL: \$OUT/$f missing or empty"
      fail=1
    }
  done
  [[ -x "$tmp/out/${h}_fuzzer" ]] || continue
  seeds="$tmp/seeds/$h"
  mkdir -p "$seeds"
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
    "$tmp/out/${h}_fuzzer_seed_corpus.zip" "$seeds"
  [[ -n "$(ls "$seeds")" ]] || {
    echo "FAIL: $h seed zip is empty"
    fail=1
  }
  log="$tmp/$h.log"
  if (cd "$tmp/out" && "./${h}_fuzzer" -runs=300 -seed=1 -dict="${h}_fuzzer.dict" \
    -max_len=512 "$seeds") >"$log" 2>&1 &&
    done_runs="$(sed -nE 's/^Done ([0-9]+) runs.*/\1/p' "$log")" && ((${done_runs:-0} >= 300)); then
    # A corpus larger than -runs is replayed whole first.
    echo "ok: $h: $(grep -o 'cov: [0-9]*' "$log" | tail -1), $done_runs runs"
  else
    echo "FAIL: $h did not run 300 inputs cleanly:"
    tail -n 20 "$log"
    fail=1
  fi
done
exit "$fail"
