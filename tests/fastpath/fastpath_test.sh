#!/bin/bash
# Runs fastpath_test.py with Debian's python3 (Bazel 4's py_test stub wants `python`, which
# Debian does not install), with bench/ on the path for bench/callgrind.py.
set -euo pipefail
root="${TEST_SRCDIR:?}/${TEST_WORKSPACE:?}"
PYTHONPATH="$root/bench" exec python3 "$root/tests/fastpath/fastpath_test.py" "$@"
