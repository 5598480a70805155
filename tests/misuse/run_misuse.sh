#!/bin/bash
# Runs each misuse program with LD_PRELOAD=LIB and checks, for BUILD (phase7 or
# hardened), what expected.txt says: the program dies of SIGABRT after printing
# exactly the expected line (ADDR is the address it announced), or, for "-", that
# this build does not claim to detect it (then any outcome is reported, not
# judged); "exit 0": not a misuse, the program must run on; "go on: LINE": the
# line, then exit 0 (HAKMEM_ABORT_ON_ERROR=0); "SIGSEGV": killed by SIGSEGV, no
# line (a guard page stops the overflow). A fourth field is an environment
# setting for the run. BUILD "other": a detected misuse needs only SIGABRT and a
# hakmem line; "noheader" (no class header byte) the same, except what phase7
# finds through the header (its tag check, or an aligned class, which exact
# strides leave unused): not claimed.
#
# usage: run_misuse.sh [--skip] LIB EXPECTED BUILD PROGRAM...
#        run_misuse.sh --table LIB PROGRAM...   (detected/not per program, for peers)
set -uo pipefail
if [[ "${1:-}" == "--skip" ]]; then
  echo "misuse_test: skipped under a sanitizer config (libhakmem.so cannot be preloaded)"
  exit 0
fi
LIB=$(realpath "$1") EXPECTED=$2 BUILD=$3
shift 3
failures=0 checked=0

# run PROGRAM [VAR=VALUE]: sets status (exit code, 128+signal), out (stderr), addr.
run() {
  out=$(env ${2:-} LD_PRELOAD="$LIB" timeout 10 "$1" 2>&1 >/dev/null)
  status=$?
  addr=$(sed -n 's/^addr=\(0x[0-9a-f]*\)$/\1/p' <<<"$out" | head -1)
}

# What only the header byte catches in the shipped build: a free whose header is
# not its unit's tag. Builds without the header do not see these.
HEADER_ONLY="free_interior_small free_misaligned free_one_past_end free_superslab_header
nul_overflow write_before_block overflow_whole_block forged_header"
HEADER_ONLY=${HEADER_ONLY//$'\n'/ }

for prog in "$@"; do
  name=$(basename "$prog")
  line=$(grep "^$name|" "$EXPECTED") || {
    echo "FAIL: $name: not in $EXPECTED"
    failures=$((failures + 1))
    continue
  }
  IFS='|' read -r _ want_phase7 want_hardened env <<<"$line"
  want=$want_phase7
  [[ "$BUILD" == hardened ]] && want=$want_hardened
  [[ "$BUILD" == other || "$BUILD" == noheader ]] && [[ "$want_phase7" != - && "$want_phase7" != "exit 0" ]] &&
    want="hakmem: "
  [[ "$BUILD" == noheader && " $HEADER_ONLY double_free_aligned " == *" $name "* ]] && want=-
  run "$prog" "$env"
  if [[ "$want" == "exit 0" ]]; then
    if [[ $status -eq 0 ]]; then echo "ok: $name: exit 0"; else
      echo "FAIL: $name: exit status $status, expected 0:"; echo "$out"
      failures=$((failures + 1))
    fi
    continue
  fi
  if [[ "$want" == - ]]; then
    echo "not detected in $BUILD (as documented): $name (status $status)"
    continue
  fi
  want=${want//ADDR/$addr}
  checked=$((checked + 1))
  if [[ "$want" == SIGSEGV ]]; then
    if [[ $status -eq 139 ]]; then echo "ok: $name: SIGSEGV"; else
      echo "FAIL: $name: expected SIGSEGV (status 139); got status $status and:"; echo "$out"
      failures=$((failures + 1))
    fi
    continue
  fi
  if [[ "$want" == "go on: "* ]]; then
    if [[ $status -eq 0 ]] && grep -qxF -- "${want#go on: }" <<<"$out"; then
      echo "ok: $name: reported, went on: ${want#go on: }"
    else
      echo "FAIL: $name: expected exit 0 after the line \"${want#go on: }\"; got status $status and:"
      echo "$out"
      failures=$((failures + 1))
    fi
    continue
  fi
  if [[ $status -ne 134 ]] || ! grep -qxF -- "$want" <<<"$out" && ! { [[ "$want" == "hakmem: " ]] && grep -q "^hakmem: " <<<"$out"; } && ! { [[ "$want" == *'*' ]] && grep -q "^${want%\*}" <<<"$out"; }; then
    echo "FAIL: $name: expected SIGABRT (status 134) and the line \"$want\"; got status $status and:"
    echo "$out"
    failures=$((failures + 1))
  else
    echo "ok: $name: $(grep '^hakmem: ' <<<"$out" | head -1)"
  fi
done
echo "misuse_test ($BUILD): $checked detected as expected, $failures failure(s)"
[[ $failures -eq 0 ]]
