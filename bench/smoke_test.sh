#!/usr/bin/env bash
# Every benchmark binary runs with tiny arguments and exits 0 with its result line. No
# timing is checked (benchmark figures are never test verdicts); this only keeps the
# workloads building and running, in every config (asan and tsan included).
set -euo pipefail

dir="${TEST_SRCDIR:-.}/${TEST_WORKSPACE:-hakmem}/bench"
[[ -x "$dir/larson" ]] || dir="bench"
failed=0

check() { # check PATTERN BINARY ARGS...
  local pattern="$1" name="$2"
  shift 2
  local out
  if ! out="$("$dir/$name" "$@" 2>&1)"; then
    echo "FAIL: $name $*: exit status $?"
    echo "$out" | tail -5
    failed=1
  elif ! grep -q "$pattern" <<<"$out"; then
    echo "FAIL: $name $*: no '$pattern' line"
    echo "$out" | tail -5
    failed=1
  else
    echo "ok: $name $*"
  fi
}

check '^hakmem ops/s: [0-9]' random_mixed 20000 128 1 256 2
check '^ops/s: [0-9]' random_mixed_sys 20000 4096 1 256 2
check '^ops/s: [0-9]' larson 0.05 1 128 256 1 12345 2
check '^ops/s: [0-9]' larson_hak 0.05 1 128 256 1 12345 2
check '^ops/s: [0-9]' prodcons 20000 16 256 2 64
check '^ops/s: [0-9]' prodcons 20000 16 256 1 64 3
check '^ops/s: [0-9]' exchange 5000 3 64
check '^ops/s: [0-9]' rubyish 30000 1 5000
check '^ops/s: [0-9]' thread_churn 5 2 500 1024
check '^ops/s: [0-9]' false_sharing 2 100 100 8 active
check '^ops/s: [0-9]' false_sharing 2 100 100 8 passive
check '^ops/s: [0-9]' realloc_heavy 20000 1 64
check '^ops/s: [0-9]' mixed_sizes 20000 1 256
check '^ops/s: [0-9]' large_blocks 200 1 8
check '^ops/s: [0-9]' large_cycle 3 1 2
check '' pair_loop 16 1000
check '' pair_loop_hak 128 1000
check '' new_delete_loop 64 1000 sized
check '' new_delete_loop 64 1000 unsized
filter='BM_MallocFree<Hak>/(16|4096)$|BM_Batch<Hak>/64/16$|BM_CrossThreadFree<Hak>/128'
check 'BM_CrossThreadFree<Hak>/128' micro --benchmark_min_time=0.001 "--benchmark_filter=$filter"

tmp="${TEST_TMPDIR:-/tmp}/rusage_exec.out"
if "$dir/rusage_exec" "$tmp" "$dir/pair_loop" 16 1000 &&
  grep -q '^exit=0 signal=0 .*maxrss_kib=[1-9]' "$tmp"; then
  echo "ok: rusage_exec"
else
  echo "FAIL: rusage_exec"
  failed=1
fi

# Bad arguments are refused with a message and exit status 2.
if "$dir/random_mixed_sys" 10 x 1 >/dev/null 2>&1; then
  echo "FAIL: random_mixed_sys accepted SIZE 'x'"
  failed=1
fi
exit "$failed"
