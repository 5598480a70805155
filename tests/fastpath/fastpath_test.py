"""The fast-path guard: instructions per malloc+free and new+delete pair, per malloc and
free in another thread, and per span replaced among thousands live, counted with
callgrind (exact on any machine), must not exceed the figures in golden.txt.

    fastpath_test.py GOLDEN PAIR_LOOP NEW_DELETE_LOOP REMOTE_FREE_LOOP SPAN_CHURN LIBHAKMEM_SO

Runs only under --config=phase7 (BUILD.bazel), the build the figures describe.
"""

import os
import shutil
import sys
import tempfile

import callgrind

ITERS = (10000, 50000)
TIMEOUT_S = 120
# Start-up and exit differ between two runs by about a hundred instructions on a loaded
# machine (30.003 or 29.997 per pair over the 40,000 pairs between the runs); one more
# instruction on the fast path is 1.0 per pair.
NOISE = 0.05


def read_golden(path):
    golden = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            fields = line.split("#", 1)[0].split()
            if not fields:
                continue
            if len(fields) != 3:
                sys.exit("%s:%d: want 'probe size instructions', got %r" % (path, n, line))
            golden.append((fields[0], int(fields[1]), float(fields[2])))
    if not golden:
        sys.exit("%s: no figures" % path)
    return golden


def main():
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    golden_path, pair_loop, new_delete_loop, remote_free_loop, span_churn, lib = sys.argv[1:]
    if not shutil.which("valgrind"):
        sys.exit("fastpath_test: valgrind not found (bash tools/setup.sh installs it)")
    probes = {
        "malloc_free": lambda size: lambda n: [pair_loop, str(size), str(n)],
        "new_delete": lambda size: lambda n: [new_delete_loop, str(size), str(n), "sized"],
        "remote_free": lambda size: lambda n: [remote_free_loop, str(size), str(n)],
        # size: the blocks live (64 KiB-1 MiB) while one is replaced per operation
        "span_churn": lambda slots: lambda n: [span_churn, str(n), "1", str(slots)],
    }
    # span_churn with no purge timer (its purges would come with the clock, not the count)
    envs = {"span_churn": dict(os.environ, HAKMEM_PURGE_DELAY_MS="3600000")}
    over = []
    with tempfile.TemporaryDirectory() as tmp:
        for probe, size, limit in read_golden(golden_path):
            if probe not in probes:
                sys.exit("fastpath_test: unknown probe %r in %s" % (probe, golden_path))
            ir, _ = callgrind.per_op(probes[probe](size), ITERS[0], ITERS[1], lib, tmp,
                                     TIMEOUT_S, envs.get(probe))
            verdict = "ok" if ir <= limit + NOISE else "OVER"
            print("%-4s %-11s %5d: %8.3f instructions per operation (golden %g)" %
                  (verdict, probe, size, ir, limit))
            if verdict == "OVER":
                over.append("%s %d: %.3f > %g" % (probe, size, ir, limit))
    if over:
        print("fastpath_test: FAILED: the fast path grew (%s). If that is intended, raise the "
              "figure in tests/fastpath/golden.txt in the commit that says why." %
              "; ".join(over))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
