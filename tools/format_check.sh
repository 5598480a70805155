#!/usr/bin/env bash
# Checks, without modifying anything, that the C/C++ sources are clang-format clean (style in
# .clang-format) and the Bazel files are buildifier clean. `--fix` rewrites them in place instead.
# A missing tool is skipped with a warning locally, but fails under CI (CI set), so CI can never
# pass by not checking.
set -euo pipefail

usage() { echo "usage: $0 [--fix]" >&2; exit 2; }
fix=0
case "${1:-}" in
  "") ;;
  --fix) fix=1 ;;
  *) usage ;;
esac
(($# <= 1)) || usage

cd "$(dirname "${BASH_SOURCE[0]}")/.."
failed=0   # any check failed
unclean=0 # some file needs reformatting
skipped=0 # a tool was missing outside CI

msg() { echo "format_check: $*"; }
missing_tool() {
  if [[ -n "${CI:-}" ]]; then
    msg "ERROR: $1 not found (run tools/setup.sh); required under CI" >&2
    failed=1
  else
    msg "WARNING: $1 not found (run tools/setup.sh); skipping its check" >&2
    skipped=1
  fi
}

# --- C/C++: clang-format 14 (other versions format differently; prefer the versioned name).
mapfile -d '' c_files < <(
  for d in hakmem tests fuzz bench; do
    [[ -d "$d" ]] && find "$d" -type f \( -name '*.c' -o -name '*.h' -o -name '*.cc' \) -print0
  done | sort -z
)
cf="$(command -v clang-format-14 || command -v clang-format || true)"
if [[ -z "$cf" ]]; then
  missing_tool clang-format
elif ((${#c_files[@]} == 0)); then
  msg "no C/C++ files to check"
elif ((fix)); then
  "$cf" --style=file -i "${c_files[@]}"
  msg "clang-format applied to ${#c_files[@]} file(s)"
else
  bad=()
  for f in "${c_files[@]}"; do
    # A few diagnostics per file show what is wrong without flooding the log.
    "$cf" --style=file --dry-run --Werror --ferror-limit=3 "$f" || bad+=("$f")
  done
  if ((${#bad[@]})); then
    msg "${#bad[@]} of ${#c_files[@]} C/C++ file(s) need clang-format:" >&2
    printf '  %s\n' "${bad[@]}" >&2
    failed=1 unclean=1
  else
    msg "clang-format: ${#c_files[@]} file(s) clean"
  fi
fi

# --- Bazel files: buildifier, formatting only. Its lint rules assume Bazel 7+ (they flag the
# native rules Bazel 4 needs), so lint stays off. bazel-* output symlinks are skipped.
mapfile -d '' bzl_files < <(
  find . \( -path ./.git -o -path './bazel-*' \) -prune -o -type f \
    \( -name BUILD.bazel -o -name BUILD -o -name '*.BUILD' -o -name '*.bzl' -o -name WORKSPACE \
    -o -name WORKSPACE.bazel \) -print0 | sort -z
)
if ! command -v buildifier >/dev/null; then
  missing_tool buildifier
elif ((${#bzl_files[@]} == 0)); then
  msg "no Bazel files to check"
elif ((fix)); then
  buildifier -mode=fix -lint=off "${bzl_files[@]}"
  msg "buildifier applied to ${#bzl_files[@]} file(s)"
else
  # Prints "<file> # reformat" for each file that is not clean; exit 4 means some are not.
  if buildifier -mode=check -lint=off "${bzl_files[@]}"; then
    msg "buildifier: ${#bzl_files[@]} file(s) clean"
  else
    msg "some Bazel file(s) need buildifier (listed above)" >&2
    failed=1 unclean=1
  fi
fi

if ((failed)); then
  ((unclean)) && msg "run tools/format_check.sh --fix to reformat" >&2
  msg "FAILED" >&2
  exit 1
fi
if ((skipped)); then msg "OK (some checks skipped)"; else msg "OK"; fi
