#!/usr/bin/env bash
# The lifecycle table: each program under each allocator (LD_PRELOAD), memory
# figures only (no timings). `bazel run //bench/lifecycle:run` (the phase7 build).
set -euo pipefail
cd "$(dirname "$0")"
LIBDIR=/usr/lib/x86_64-linux-gnu
HAK=$PWD/../../hakmem/override/libhakmem.so
declare -A LIBS=([glibc]="" [hakmem]="$HAK" [mimalloc]="$LIBDIR/libmimalloc.so.2"
  [jemalloc]="$LIBDIR/libjemalloc.so.2" [tcmalloc]="$LIBDIR/libtcmalloc_minimal.so.4")
ORDER=(hakmem glibc mimalloc jemalloc tcmalloc)
run() { # run <allocator> <program> [args]
  local lib=${LIBS[$1]}
  shift
  if [[ -n $lib ]]; then LD_PRELOAD=$lib "./$@"; else "./$@"; fi
}
row() { # row <label> <column of the output> <program> [args]
  local label=$1 col=$2 out
  shift 2
  printf '| %s |' "$label"
  for a in "${ORDER[@]}"; do
    out=$(run "$a" "$@" | awk -v c="$col" '{print $c}')
    printf ' %s |' "$out"
  done
  echo
}
row2() { # row2 <label> <program> [args]: "first / second" columns
  local label=$1 out
  shift
  printf '| %s |' "$label"
  for a in "${ORDER[@]}"; do
    out=$(run "$a" "$@" | awk '{print $1 " / " $2}')
    printf ' %s |' "$out"
  done
  echo
}
echo "| pattern | hakmem | glibc | mimalloc | jemalloc | tcmalloc |"
echo "|---|---:|---:|---:|---:|---:|"
row "worker allocates 200 MB of 1000 B blocks and exits, main frees them: RSS added 300 ms later (MiB)" 1 exit_remote
row "400 live threads, one small allocation each: RSS added (MiB)" 1 threads_live
row "the same 400 threads joined, 300 ms later: RSS added (MiB)" 2 threads_live
row "500 threads in turn, key destructor allocating every round: RSS added after malloc_trim(0) (MiB)" 1 key_destructor
row2 "2,000 x posix_memalign(8192, 16): address space (MiB) / mappings added" aligned 8192 16
row2 "2,000 x posix_memalign(64, 100000): address space (MiB) / mappings added" aligned 64 100000
