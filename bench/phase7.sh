#!/usr/bin/env bash
# The Phase 7 effect, measured: random_mixed built with the phase7 config, with each of its
# flags turned off in turn, and with the release config (no Phase 7 flag), run side by side.
#
#   bench/phase7.sh [--no-build] [compare.py options: --runs 5 --phase7-sizes 16,128
#                    --phase7-n 100000,10000000 --out DIR]
#
# Run it from a shell, not through `bazel run` (it calls bazel itself, and a running
# `bazel run` holds the server lock). Each variant gets its own output tree
# (--platform_suffix), so running it again rebuilds only what changed. The binaries are
# copied to bench/out/phase7/bin/, the report goes to bench/out/phase7/phase7.{md,svg}.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=bench/out/phase7
bin="$out/bin"
build=1
if [[ "${1:-}" == "--no-build" ]]; then
  build=0
  shift
fi

# name|bazel flags
variants=(
  "phase7|--config=phase7"
  "no_prewarm|--config=phase7 --define=hk_prewarm=off --platform_suffix=-phase7-noprewarm"
  "no_header|--config=phase7 --define=hk_header=off --platform_suffix=-phase7-noheader"
  "no_inline|--config=phase7 --define=hk_inline=off --platform_suffix=-phase7-noinline"
  "release|--config=release"
)

if ((build)); then
  mkdir -p "$bin"
  : >"$bin/variants.txt.new"
  for v in "${variants[@]}"; do
    name="${v%%|*}"
    read -r -a flags <<<"${v#*|}"
    echo "phase7.sh: building $name: bazel build ${flags[*]} //bench:random_mixed" >&2
    bazel build "${flags[@]}" //bench:random_mixed //bench:rusage_exec
    dir="$(bazel info "${flags[@]}" bazel-bin 2>/dev/null)"
    cp -f "$dir/bench/random_mixed" "$bin/random_mixed.$name"
    cp -f "$dir/bench/rusage_exec" "$bin/rusage_exec"
    echo "$v" >>"$bin/variants.txt.new"
  done
  mv -f "$bin/variants.txt.new" "$bin/variants.txt"
elif [[ ! -f "$bin/variants.txt" ]]; then
  echo "phase7.sh: no binaries in $bin; run without --no-build first" >&2
  exit 1
fi

python=/usr/bin/python3
[[ -x "$python" ]] || python=python3
exec "$python" bench/compare.py --phase7 "$bin" --out "$out" "$@"
