#!/usr/bin/env bash
# Planted bugs: tools/fuzz_plant.sh [--runs N] [--seconds S] [bug...]
#
# For each planted bug (hakmem/plant/plant.bzl; default: all), builds the
# harnesses with --config=fuzz --define=hk_plant=<bug> and runs each allocating
# harness from its corpus for at most N inputs (default 100000) or S seconds
# (default 60), seed 1. Prints a table: bug, then per harness the executions
# after which it failed ("-" if it did not), and the cause the first finder
# reported. Exits non-zero if some bug was found by no harness.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=100000 seconds=60 bugs=()
while (($#)); do
  case "$1" in
  --runs) runs="${2:?}" && shift 2 ;;
  --seconds) seconds="${2:?}" && shift 2 ;;
  -*)
    echo "usage: $0 [--runs N] [--seconds S] [bug...]" >&2
    exit 2
    ;;
  *) bugs+=("$1") && shift ;;
  esac
done
if ((${#bugs[@]} == 0)); then
  mapfile -t bugs < <(sed -nE 's/^ *"([a-z0-9_]+)",.*/\1/p' hakmem/plant/plant.bzl)
fi
# options does not allocate through hakmem: no allocator bug can reach it.
HARNESSES=(alloc_ops threads lifecycle size_class)
WORK="${FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/hakmem-plant.XXXXXX")}"
mkdir -p "$WORK"
targets=()
for h in "${HARNESSES[@]}"; do targets+=("//fuzz:${h}_fuzzer"); done

rows=() missed=0
for bug in "${bugs[@]}"; do
  args=(--config=fuzz "--define=hk_plant=$bug")
  echo "fuzz_plant.sh: $bug: building"
  bazel build --noshow_progress "${args[@]}" "${targets[@]}" >"$WORK/build-$bug.log" 2>&1 || {
    cat "$WORK/build-$bug.log"
    exit 1
  }
  bin="$(bazel info "${args[@]}" bazel-bin 2>/dev/null)/fuzz"
  row="$(printf '%-26s' "$bug")" cause="" found=0
  for h in "${HARNESSES[@]}"; do
    w="$WORK/$bug/$h"
    rm -rf "$w" && mkdir -p "$w/corpus"
    max_len="$(sed -n 's/^max_len *= *//p' "fuzz/$h.options")"
    log="$w/log"
    rc=0
    (cd "$w" && "$bin/${h}_fuzzer" -runs="$runs" -max_total_time="$seconds" -seed=1 \
      -max_len="$max_len" -timeout=20 -dict="$OLDPWD/fuzz/$h.dict" -artifact_prefix="$w/" \
      -print_final_stats=1 "$w/corpus" "$OLDPWD/fuzz/corpus/$h" >"$log" 2>&1) || rc=$?
    if ((rc != 0)); then
      execs="$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log" | tail -n 1)"
      [[ -n "$execs" ]] || execs="$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')"
      row+="$(printf ' %12s' "${execs:-?}")"
      found=1
      [[ -n "$cause" ]] || cause="$h: $(grep -m1 -oE 'hakmem fuzz: [^(]*|hakmem: [^0-9]*|ERROR: AddressSanitizer: [a-z-]+|runtime error: .*' "$log" | sed 's/ *$//' || true)"
    else
      row+="$(printf ' %12s' -)"
    fi
  done
  ((found)) || missed=$((missed + 1))
  rows+=("$row  ${cause:-NOT FOUND}")
done

echo
printf '%-26s' "planted bug"
for h in "${HARNESSES[@]}"; do printf ' %12s' "$h"; done
echo "  first cause reported"
for r in "${rows[@]}"; do echo "$r"; done
echo "fuzz_plant.sh: executions until the harness failed (-: not within $runs runs / ${seconds}s)"
exit $((missed > 0))
