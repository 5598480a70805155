#!/usr/bin/env bash
# Writes compile_commands.json at the repo root for clangd / clang-tidy.
#   tools/compile_commands.sh [bazel flags...] [target patterns...]   (default pattern //...)
# e.g. `tools/compile_commands.sh --config=clang` gives clang's flags, which clangd parses best.
# `bear -- bazel build` hangs in Bazel's toolchain autoconfiguration, so the commands come from
# `bazel aquery` instead: the exact CppCompile command lines, without building anything.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
flags=() patterns=()
for a in "$@"; do
  if [[ "$a" == -* ]]; then flags+=("$a"); else patterns+=("$a"); fi
done
((${#patterns[@]})) || patterns=("//...")
union=""
for p in "${patterns[@]}"; do union+="${union:+ + }$p"; done
query="mnemonic(\"CppCompile\", $union)"

tmp="$(mktemp)"
trap 'rm -f "$tmp" "$tmp.json"' EXIT
bazel aquery "${flags[@]}" --output=jsonproto "$query" >"$tmp"
# Compiler arguments are relative to the execution root (bazel-out/..., external/...).
execroot="$(bazel info "${flags[@]}" execution_root)"
[[ -d "$execroot" ]] ||
  echo "compile_commands: note: $execroot does not exist yet; run a bazel build once" >&2

python3 - "$tmp" "$execroot" "$PWD" >"$tmp.json" <<'EOF'
import json, os, sys

aquery, execroot, workspace = sys.argv[1:]
with open(aquery) as f:
    text = f.read()
actions = json.loads(text).get("actions", []) if text.strip() else []
# gcc-only options clang-based tools reject as errors (the default toolchain is gcc).
GCC_ONLY = {"-fno-canonical-system-headers"}
entries, seen = [], set()
for action in actions:
    args = [a for a in action.get("arguments", []) if a not in GCC_ONLY]
    if "-c" not in args or args.index("-c") + 1 >= len(args):
        continue
    i = args.index("-c") + 1
    src = args[i]
    # Point source files at the workspace copy (not the execroot symlink) so an editor's
    # open file matches the entry; generated files stay under the execroot.
    if not os.path.isabs(src) and os.path.exists(os.path.join(workspace, src)):
        src = args[i] = os.path.join(workspace, src)
    key = (src, tuple(args))
    if key in seen:  # the same file compiled identically by two targets
        continue
    seen.add(key)
    entries.append({"directory": execroot, "file": src, "arguments": args})
json.dump(entries, sys.stdout, indent=1)
sys.stdout.write("\n")
print(f"compile_commands: {len(entries)} entries", file=sys.stderr)
EOF
chmod 644 "$tmp.json"
mv "$tmp.json" compile_commands.json
echo "compile_commands: wrote $PWD/compile_commands.json"
