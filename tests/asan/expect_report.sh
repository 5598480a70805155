#!/bin/bash
# Runs one misuse program and passes only if it died of SIGABRT right at the
# misuse it announced ("misuse at ADDR"), with the expected report:
#   expect_report.sh PROGRAM --asan KIND      "ERROR: AddressSanitizer: KIND on address ADDR"
#   expect_report.sh PROGRAM --hakmem WHAT    "hakmem: WHAT of ADDR" (hk_misuse's line)
#   expect_report.sh --skip                   configs without ASan: nothing can see the misuse
set -uo pipefail

if [[ "${1:-}" == "--skip" ]]; then
  echo "skipped: needs --config=asan or --config=fuzz (ASan reports these misuses)"
  exit 0
fi
if [[ $# -ne 3 || ("$2" != --asan && "$2" != --hakmem) ]]; then
  echo "usage: $0 PROGRAM --asan KIND | PROGRAM --hakmem WHAT | --skip" >&2
  exit 2
fi
prog=$1 source=$2 what=$3

ulimit -c 0
# abort_on_error: an ASan report ends in SIGABRT, as hk_fatal does.
err=$(ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}abort_on_error=1:detect_leaks=0" "$prog" 2>&1 >/dev/null)
status=$?

fail() {
  echo "FAIL: $(basename "$prog"): $1 (exit status $status); its stderr:"
  echo "$err"
  exit 1
}

addr=$(sed -n 's/^misuse at \(0x[0-9a-f]*\)$/\1/p' <<<"$err" | head -n 1)
[[ -n "$addr" ]] || fail "never reached its misuse"
[[ "$err" != *"survived the misuse"* ]] || fail "nothing reported the misuse at $addr"
((status == 134)) || fail "did not die of SIGABRT"
if [[ "$source" == --asan ]]; then
  want="ERROR: AddressSanitizer: $what on address $(printf '0x%012x' "$addr")"
else
  want="hakmem: $what of $addr"
fi
[[ "$err" == *"$want"* ]] || fail "no \"$want\""
echo "ok: $(basename "$prog"): $want"
