#!/bin/bash
# Runs the misuse programs of tests/misuse/ under each allocator (LD_PRELOAD) and
# prints, as a Markdown table, whether each one detected the misuse: "yes" when
# the program was killed by SIGABRT with a message on stderr, "segv" when an
# overflow program (SIGSEGV in expected.txt) was killed by SIGSEGV, "crash" for another
# signal (the misuse was not reported, the program just broke), "-" when it ran
# on. loader_memory and report_and_go_on are not misuse checks and are left out;
# a program's environment setting in expected.txt (4th field) applies to all.
#
# usage: bench/misuse_peers.sh [BIN_DIR_OF_PHASE7 [BIN_DIR_OF_HARDENED]]
#   e.g. bazel build --config=phase7 //tests/misuse/... //hakmem/override:libhakmem.so
#        bazel build --config=hardened //tests/misuse/... //hakmem/override:libhakmem.so
#        bash bench/misuse_peers.sh bazel-out/k8-opt-phase7/bin bazel-out/k8-opt-hardened/bin
set -uo pipefail
cd "$(dirname "$0")/.."
P7=${1:-bazel-out/k8-opt-phase7/bin}
HD=${2:-bazel-out/k8-opt-hardened/bin}
SYS=/usr/lib/x86_64-linux-gnu
names=(glibc "hakmem phase7" "hakmem hardened" mimalloc jemalloc tcmalloc)
libs=("" "$P7/hakmem/override/libhakmem.so" "$HD/hakmem/override/libhakmem.so"
  "$SYS/libmimalloc.so.2" "$SYS/libjemalloc.so.2" "$SYS/libtcmalloc_minimal.so.4")
progs=$(sed -n 's/^\([a-z_0-9]*\)|.*/\1/p' tests/misuse/expected.txt | grep -vx -e loader_memory -e report_and_go_on)
for i in "${!libs[@]}"; do
  if [[ -n "${libs[$i]}" && ! -f "${libs[$i]}" ]]; then
    echo "misuse_peers: ${libs[$i]} missing (bash tools/setup.sh installs the peers)" >&2
    exit 2
  fi
done
header="| misuse |"
rule="|---|"
for n in "${names[@]}"; do
  header+=" $n |"
  rule+=":-:|"
done
echo "$header"
echo "$rule"
declare -A total
for prog in $progs; do
  row="| $prog |"
  for i in "${!libs[@]}"; do
    # Both hakmem builds run their own build of the programs (the same source).
    bin="$P7/tests/misuse/$prog"
    [[ "${names[$i]}" == "hakmem hardened" ]] && bin="$HD/tests/misuse/$prog"
    env=$(grep "^$prog|" tests/misuse/expected.txt | cut -d'|' -f4)
    err=$(env $env LD_PRELOAD="${libs[$i]}" timeout 10 "$bin" 2>&1 >/dev/null)
    rc=$?
    msg=$(grep -v '^addr=' <<<"$err" | grep -v 'returned without aborting' | head -1)
    if [[ $rc -eq 77 ]]; then
      cell="n/a"
    elif [[ $rc -eq 139 && "$(grep "^$prog|" tests/misuse/expected.txt | cut -d'|' -f3)" == SIGSEGV ]]; then
      cell=segv # an overflow stopped where it crossed into a page that is not mapped writable
      total[$i]=$((${total[$i]:-0} + 1))
    elif [[ $rc -eq 134 && -n "$msg" ]]; then
      cell=yes
      total[$i]=$((${total[$i]:-0} + 1))
    elif [[ $rc -eq 124 ]]; then
      cell=hang
    elif [[ $rc -gt 128 ]]; then
      cell=crash
    else
      cell=-
    fi
    row+=" $cell |"
  done
  echo "$row"
done
row="| **detected** |"
for i in "${!libs[@]}"; do row+=" **${total[$i]:-0} / $(wc -w <<<"$progs")** |"; done
echo "$row"
