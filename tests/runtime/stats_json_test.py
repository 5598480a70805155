#!/usr/bin/env python3
"""hak_stats_json and HAKMEM_SHOW_STATS=json: one JSON object, parsed with
json; its figures match what the program holds; write errors are reported;
tools/hakmem_stats.py turns it into a table.

usage: stats_json_test.py STATS_JSON_DUMP HAKMEM_STATS_PY
"""
import json
import os
import subprocess
import sys

dump, tool = sys.argv[1], sys.argv[2]
env = {k: v for k, v in os.environ.items() if not k.startswith("HAKMEM_")}


def run(args, **extra):
    r = subprocess.run([dump] + args, env={**env, **extra}, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, (r.returncode, r.stderr)
    return r


def check(obj, version):
    assert obj["hakmem"] == version, obj["hakmem"]
    assert obj["stats_version"] == 1
    classes = obj["classes"]
    assert obj["num_classes"] == len(classes) == 48, len(classes)
    sizes = [k["block_size"] for k in classes]
    assert sizes == sorted(set(sizes)), sizes
    assert [k["class"] for k in classes] == list(range(48))
    # 1000 blocks of 100 B in the first class that fits them (some may sit in
    # the thread cache, which still counts as out).
    k100 = next(k for k in classes if k["block_size"] >= 100)
    assert k100["blocks_out"] >= 1000 and k100["refills"] >= 1, k100
    assert obj["small_bytes_in_use"] >= 1000 * 100, obj
    assert obj["large_bytes_in_use"] >= 4 << 20, obj
    assert obj["large_allocs"] - obj["large_frees"] >= 1, obj
    assert obj["bytes_in_use"] == obj["small_bytes_in_use"] + obj["large_bytes_in_use"]
    assert obj["bytes_in_use_peak"] >= obj["bytes_in_use"]
    # Resident is what the OS says (mincore): at least the bytes the program wrote.
    assert obj["os_mapped"] >= obj["os_resident"] >= 1000 * 100 + (4 << 20), obj
    assert obj["heaps"] >= 1 and obj["os_maps"] >= 1


# hak_stats_json(stdout): one line, one object; no report at exit by default.
r = run([])
out = r.stdout.splitlines()
assert len(out) == 2 and out[1].startswith("version "), out
version = out[1].split()[1]
direct = json.loads(out[0])
check(direct, version)
assert r.stderr == "", r.stderr

# HAKMEM_SHOW_STATS=json: the same object on stderr at exit.
r = run([], HAKMEM_SHOW_STATS="json")
lines = r.stderr.splitlines()
assert len(lines) == 1, lines
at_exit = json.loads(lines[0])
check(at_exit, version)
assert at_exit["pid"] != direct["pid"]
assert run([], HAKMEM_SHOW_STATS="2").stderr.startswith('{"hakmem":')
assert run([], HAKMEM_SHOW_STATS="1").stderr.startswith("hakmem: in use")

# A stream that cannot be written: -1 with the stream's errno; NULL: EINVAL.
r = run(["--full"])
assert r.stdout == "rc=-1 errno=ENOSPC\nnull: rc=-1 einval=1\n", r.stdout

# The table tool: totals and a row for the 100 B class, from stdin.
t = subprocess.run([sys.executable, tool], input=r.stderr + lines[0] + "\n", text=True,
                   capture_output=True, timeout=60)
assert t.returncode == 0, t.stderr
print(t.stdout)
assert "pid %d" % at_exit["pid"] in t.stdout, t.stdout
assert "bytes in use" in t.stdout
k100 = next(k for k in at_exit["classes"] if k["block_size"] >= 100)
rows = [l.split() for l in t.stdout.splitlines()]
assert [str(k100["block_size"]), str(k100["blocks_out"])] in [r[:2] for r in rows], t.stdout
print("stats_json_test: passed")
