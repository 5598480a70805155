#!/usr/bin/env bash
# Continuous fuzzing here:
#   tools/fuzz.sh --seconds N [--jobs J] [--no-known-bugs] [--hardened] [harness...]
#
# Builds the harnesses with --config=fuzz and the checks of known open bugs on
# (--define=hk_fuzz_known_bugs=on; --no-known-bugs leaves them off, so a known
# hang does not eat the run's time), then fuzzes each harness in turn for N
# seconds with J libFuzzer jobs (-fork=J; crashes and timeouts do not stop the
# run). --hardened fuzzes the same harnesses built with HAKMEM_HARDENED
# (--define=hk_hardened=on: safe-linked lists, the free bit, the freed-block
# scrub and its checks); the corpus and regression inputs are shared. Afterwards,
# per harness:
#   - new inputs that add coverage are merged into fuzz/corpus/<name>/ (-merge=1);
#   - each crash is minimised (-minimize_crash=1) and, if its one-line cause is
#     new, written to fuzz/regressions/<name>/<hash> with <hash>.txt holding that
#     line; `bazel test //fuzz/...` replays every regression input from then on.
# Prints a progress line every 15 s and a final table: harness, exec/s, coverage
# edges (of the merged corpus), corpus files, crashes (new causes / artifacts).
# Default harnesses: all. Work files go to $FUZZ_WORK (default: a temp dir).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ALL=(alloc_ops threads lifecycle options size_class)
seconds=60 jobs=1 harnesses=() known_bugs=on hardened=off
usage() {
  echo "usage: $0 --seconds N [--jobs J] [--no-known-bugs] [--hardened] [harness...]  (harnesses: ${ALL[*]})" >&2
  exit 2
}
while (($#)); do
  case "$1" in
  --seconds) seconds="${2:?}" && shift 2 ;;
  --jobs) jobs="${2:?}" && shift 2 ;;
  --no-known-bugs) known_bugs=off && shift ;;
  --hardened) hardened=on && shift ;;
  -h | --help) usage ;;
  -*) usage ;;
  *) harnesses+=("$1") && shift ;;
  esac
done
[[ "$seconds" =~ ^[0-9]+$ && "$jobs" =~ ^[0-9]+$ ]] || usage
((${#harnesses[@]})) || harnesses=("${ALL[@]}")
for h in "${harnesses[@]}"; do
  [[ -f "fuzz/${h}_fuzzer.c" ]] || {
    echo "fuzz.sh: no harness $h" >&2
    usage
  }
done

BAZEL_ARGS=(--config=fuzz "--define=hk_fuzz_known_bugs=$known_bugs")
[[ "$hardened" == off ]] || BAZEL_ARGS+=(--define=hk_hardened=on)
WORK="${FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/hakmem-fuzz.XXXXXX")}"
mkdir -p "$WORK"
targets=()
for h in "${harnesses[@]}"; do targets+=("//fuzz:${h}_fuzzer"); done
echo "fuzz.sh: building ${targets[*]}"
bazel build --noshow_progress "${BAZEL_ARGS[@]}" "${targets[@]}" >"$WORK/build.log" 2>&1 || {
  cat "$WORK/build.log"
  exit 1
}
BIN="$(bazel info "${BAZEL_ARGS[@]}" bazel-bin 2>/dev/null)/fuzz"

max_len_of() { sed -n 's/^max_len *= *//p' "fuzz/$1.options"; }
# The one-line cause of a failing input: hakmem's or a sanitizer's first report.
cause_of() {
  grep -m1 -oE 'hakmem fuzz: [^(]*|hakmem: [^0-9]*|ERROR: AddressSanitizer: [a-z-]+|runtime error: .*|ERROR: libFuzzer: [a-z-]+' \
    "$1" | sed 's/ *$//' || true
}

rows=()
for h in "${harnesses[@]}"; do
  bin="$BIN/${h}_fuzzer"
  w="$WORK/$h"
  rm -rf "$w"
  mkdir -p "$w/corpus" "$w/artifacts" "fuzz/corpus/$h"
  max_len="$(max_len_of "$h")"
  log="$w/fuzz.log"
  echo "fuzz.sh: $h: ${seconds}s, $jobs job(s), log $log"
  (cd "$w" && "$bin" -fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$seconds" -max_len="$max_len" -timeout=20 -rss_limit_mb=4096 \
    -dict="$OLDPWD/fuzz/$h.dict" -artifact_prefix="$w/artifacts/" \
    "$w/corpus" "$OLDPWD/fuzz/corpus/$h" >"$log" 2>&1) &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 15
    line="$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)"
    [[ -z "$line" ]] || echo "fuzz.sh: $h: $line"
  done
  wait "$pid" || true
  status="$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)"
  # Executions per second over the run (fork mode's own figure drops to 0 when
  # jobs restart after crashes).
  runs="$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$status")"
  secs="$(sed -nE 's/.* time: ([0-9]+)s.*/\1/p' <<<"$status")"
  execs=$((${runs:-0} / (${secs:-0} > 0 ? ${secs:-1} : 1)))

  # The corpus stays small: the hand-made seeds, plus a minimal set (-merge=1
  # into an empty directory) of everything else that adds coverage.
  mkdir -p "$w/merged"
  if "$bin" -merge=1 -max_len="$max_len" -timeout=20 "$w/merged" "fuzz/corpus/$h" "$w/corpus" \
    >"$w/merge.log" 2>&1; then
    find "fuzz/corpus/$h" -type f ! -name 'seed_*' -delete
    for f in "$w"/merged/*; do
      [[ -f "$f" ]] || continue
      dup=0
      for s in "fuzz/corpus/$h"/seed_*; do
        if cmp -s "$f" "$s"; then dup=1 && break; fi
      done
      ((dup)) || cp "$f" "fuzz/corpus/$h/"
    done
  else
    echo "fuzz.sh: $h: merge failed (see $w/merge.log); corpus left as it was"
  fi
  edges="$("$bin" -runs=0 -max_len="$max_len" "fuzz/corpus/$h" 2>&1 |
    grep -oE 'INITED cov: [0-9]+' | grep -oE '[0-9]+' || echo '?')"
  corpus="$(find "fuzz/corpus/$h" -type f | wc -l)"

  # Keep one regression input per cause, minimised (-minimize_crash).
  artifacts=0 new=0 unrepro=0
  mkdir -p "fuzz/regressions/$h"
  for a in "$w"/artifacts/crash-* "$w"/artifacts/timeout-* "$w"/artifacts/oom-* "$w"/artifacts/leak-*; do
    [[ -f "$a" ]] || continue
    artifacts=$((artifacts + 1))
    # Three runs of the input: some failures need the state an earlier run left.
    if "$bin" -runs=3 -timeout=20 "$a" >"$a.replay" 2>&1; then
      # Does not fail on its own (a job killed as the run ended, or state an
      # earlier input left): reported, not kept.
      unrepro=$((unrepro + 1))
      continue
    fi
    cause="$(cause_of "$a.replay")"
    [[ -n "$cause" ]] || cause="unknown failure ($(basename "$a" | cut -d- -f1))"
    if grep -qxF -- "$cause" fuzz/regressions/"$h"/*.txt 2>/dev/null; then
      continue # known cause: its regression input is kept already
    fi
    m="$a.min"
    "$bin" -minimize_crash=1 -max_total_time=30 -timeout=20 -exact_artifact_path="$m" "$a" \
      >"$a.minlog" 2>&1 || true
    [[ -s "$m" ]] || m="$a"
    id="$(sha1sum "$m" | cut -c1-16)"
    cp "$m" "fuzz/regressions/$h/$id"
    echo "$cause" >"fuzz/regressions/$h/$id.txt"
    new=$((new + 1))
    echo "fuzz.sh: $h: new crash: $cause -> fuzz/regressions/$h/$id"
  done
  rmdir "fuzz/regressions/$h" 2>/dev/null || true
  rows+=("$(printf '%-12s %8s %8s %8s %5d/%-5d %s' "$h" "$execs" "$edges" "$corpus" "$new" "$artifacts" \
    "$( ((unrepro == 0)) || echo "($unrepro not reproducible alone: $w/artifacts)")")")
done

echo
printf '%-12s %8s %8s %8s %s\n' harness exec/s edges corpus "crashes (new causes/artifacts)"
for r in "${rows[@]}"; do echo "$r"; done
echo "fuzz.sh: ${seconds}s per harness, $jobs job(s), hardened $hardened; work files in $WORK"
