#!/usr/bin/env bash
# Coverage of hakmem/ by the fuzz corpora: tools/fuzz_coverage.sh [--html DIR]
#
# Builds every harness twice with clang source-based coverage through the
# OSS-Fuzz build script (fuzz/oss-fuzz/build.sh, so exactly the flags and
# sources OSS-Fuzz uses) with the replay main in place of libFuzzer: the
# developer build and the same with HAKMEM_HARDENED=1 (as tools/fuzz.sh
# --hardened fuzzes it). Replays each harness's corpus and regression inputs
# once in each build (the hardened one also with HAKMEM_ZERO_ON_FREE=1), prints each build's line and branch coverage per file of
# hakmem/ (llvm-profdata-14, llvm-cov-14), then the union of the two (a line is
# reached if either build reaches it) per file and per layer (core, box, api),
# and the lines neither reaches, per file, as ranges. HTML reports, one per
# build, go to DIR/default and DIR/hardened (default DIR: $WORK/html).
#
# The union is taken over the builds' lcov exports, not by one llvm-cov call
# over both builds' binaries: llvm-cov keeps only the first record of a function
# it sees under the same name and files, so a hardened function's extra lines
# would be dropped (or the default build's).
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
BUILDS=(default hardened)
declare -A BUILD_FLAGS=([default]="" [hardened]="-DHAKMEM_HARDENED=1")
# The hardened build replays each corpus a second time with zero-on-free on (an
# option read at init, so a process of its own): every free scrubs the block,
# every reuse checks the scrub, the thread cache stays empty.
declare -A BUILD_ENV=([default]="" [hardened]="HAKMEM_ZERO_ON_FREE=1")

mkdir -p "$WORK"
clang -O1 -c fuzz/replay_main.c -o "$WORK/replay_main.o"
sources=()
while IFS= read -r f; do sources+=("$f"); done < <(find hakmem/core hakmem/box hakmem/api -name '*.[ch]' | sort)

for b in "${BUILDS[@]}"; do
  w="$WORK/$b"
  mkdir -p "$w/out" "$w/prof"
  # build.sh's own WORK (its object files) is per build.
  engine="$WORK/replay_main.o"
  CC=clang CXX=clang++ CFLAGS="$FLAGS ${BUILD_FLAGS[$b]}" CXXFLAGS="$FLAGS" \
    LIB_FUZZING_ENGINE="$engine" SRC="$w" WORK="$w" OUT="$w/out" \
    bash fuzz/oss-fuzz/build.sh >"$w/build.log" 2>&1 || {
    cat "$w/build.log"
    exit 1
  }
  objects=()
  for h in "${HARNESSES[@]}"; do
    dirs=("$REPO/fuzz/corpus/$h")
    [[ -d "$REPO/fuzz/regressions/$h" ]] && dirs+=("$REPO/fuzz/regressions/$h")
    envs=("")
    [[ -z "${BUILD_ENV[$b]}" ]] || envs+=("${BUILD_ENV[$b]}")
    for e in "${envs[@]}"; do
      # -runs=0: the checked-in inputs only, no random ones.
      # shellcheck disable=SC2086 # e is empty or one NAME=value
      env $e LLVM_PROFILE_FILE="$w/prof/$h.%p.profraw" "$w/out/${h}_fuzzer" -runs=0 "${dirs[@]}" |
        sed "s/^/fuzz_coverage.sh: $b${e:+ ($e)}: $h: /"
    done
    # llvm-cov takes the first binary as an argument, the others with -object.
    if ((${#objects[@]})); then objects+=(-object); fi
    objects+=("$w/out/${h}_fuzzer")
  done
  "$PROFDATA" merge -sparse "$w"/prof/*.profraw -o "$w/fuzz.profdata"
  echo
  echo "fuzz_coverage.sh: $b build:"
  "$COV" report "${objects[@]}" -instr-profile="$w/fuzz.profdata" -show-region-summary=false \
    -show-instantiation-summary=false "${sources[@]}"
  "$COV" show "${objects[@]}" -instr-profile="$w/fuzz.profdata" -format=html \
    -show-branches=count -output-dir="$html/$b" "${sources[@]}" >/dev/null
  "$COV" export "${objects[@]}" -instr-profile="$w/fuzz.profdata" -format=lcov \
    "${sources[@]}" >"$w/fuzz.lcov"
done

# The union: a line (function) counts as reached if either build reaches it.
echo
echo "fuzz_coverage.sh: union of the builds (${BUILDS[*]}): lines per file, per layer, in all"
lcovs=()
for b in "${BUILDS[@]}"; do lcovs+=("$WORK/$b/fuzz.lcov"); done
python3 - "${lcovs[@]}" <<'PY'
import re, sys
lines, hit, fns, fnhit = {}, set(), {}, set()
for path in sys.argv[1:]:
    for rec in open(path):
        tag, _, val = rec.rstrip("\n").partition(":")
        if tag == "SF":
            f = re.sub(r".*/hakmem/(core|box|api)/", r"hakmem/\1/", val)
            lines.setdefault(f, set())
            fns.setdefault(f, set())
        elif tag == "DA":
            n, count = val.split(",")[:2]
            lines[f].add(int(n))
            if int(count) > 0:
                hit.add((f, int(n)))
        elif tag == "FNDA":
            count, name = val.split(",", 1)
            name = name.rpartition(":")[2]  # a static function's copy per file is one
            fns[f].add(name)
            if int(count) > 0:
                fnhit.add((f, name))

def pct(a, b):
    return f"{100 * a / b:6.2f} %" if b else "     -  "

def ranges(ns):
    out, start = [], None
    for i, n in enumerate(ns):
        if start is None:
            start = n
        if i + 1 == len(ns) or ns[i + 1] != n + 1:
            out.append(str(start) if start == n else f"{start}-{n}")
            start = None
    return " ".join(out)

print(f"{'file':<28} {'lines':>6} {'missed':>6} {'cover':>9} {'funcs':>6} {'missed':>6}")
layers, missing = {}, []
for f in sorted(lines):
    if not lines[f]:
        continue
    h = sum((f, n) in hit for n in lines[f])
    fh = sum((f, n) in fnhit for n in fns[f])
    print(f"{f:<28} {len(lines[f]):6d} {len(lines[f]) - h:6d} {pct(h, len(lines[f])):>9} "
          f"{len(fns[f]):6d} {len(fns[f]) - fh:6d}")
    t = layers.setdefault(f.split("/")[1], [0, 0, 0, 0])
    for i, v in enumerate((len(lines[f]), h, len(fns[f]), fh)):
        t[i] += v
    miss = sorted(n for n in lines[f] if (f, n) not in hit)
    if miss:
        missing.append(f"  {f}: {ranges(miss)}")
print()
total = [sum(t[i] for t in layers.values()) for i in range(4)]
for name, t in sorted(layers.items()) + [("all", total)]:
    print(f"{name:<5} {pct(t[1], t[0])} of {t[0]} lines ({t[0] - t[1]} missed), "
          f"{pct(t[3], t[2])} of {t[2]} functions")
print("\nLines not reached by either build (file: ranges):")
print("\n".join(missing))
PY
echo
echo "fuzz_coverage.sh: HTML reports: $html/{$(
  IFS=,
  echo "${BUILDS[*]}"
)}/index.html"
