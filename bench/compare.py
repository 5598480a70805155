#!/usr/bin/env python3
"""Runs hakmem's benchmark workloads under several allocators and compares them.

    bazel run //bench:compare -- [--runs 5] [--workloads 'random_mixed*,larson_1t']
                                 [--allocators glibc,hakmem,mimalloc] [--out DIR]
    bazel run //bench:compare -- --callgrind      instructions per malloc+free pair
    bench/phase7.sh                               the Phase 7 flags, one at a time

Every workload binary uses plain malloc/free; an allocator other than glibc is put under
it with LD_PRELOAD. Allocators are interleaved run by run (the order rotates every run),
so a slow minute of a shared machine hurts all of them alike; the table reports medians of
--runs runs: throughput (the binary's own `ops/s:` line), wall time, CPU time (user+sys
from wait4), peak RSS (ru_maxrss) and minor page faults, taken by bench/rusage_exec. Results
go to stdout as Markdown and to --out as compare.md, compare.json, compare.png and
compare.svg (matplotlib); `--replot` redraws the charts from a compare.json in --out.

Python 3 standard library, and matplotlib for the charts (bench/charts.py).
"""

import argparse
import datetime
import fnmatch
import json
import math
import os
import platform
import re
import shlex
import subprocess
import sys
import tempfile
import threading
import time

import callgrind
import charts

LIBDIR = "/usr/lib/x86_64-linux-gnu"

# name -> (library to LD_PRELOAD or None, Debian package for the version, colour)
ALLOCATORS = {
    "glibc": (None, "libc6", "#8c8c8c"),
    "hakmem": ("hakmem/override/libhakmem.so", None, "#d62728"),
    "mimalloc": (LIBDIR + "/libmimalloc.so.2", "libmimalloc2.0", "#1f77b4"),
    "jemalloc": (LIBDIR + "/libjemalloc.so.2", "libjemalloc2", "#2ca02c"),
    "tcmalloc": (LIBDIR + "/libtcmalloc_minimal.so.4", "libtcmalloc-minimal4", "#ff7f0e"),
}

# name -> (binary, arguments, arguments for --quick, what it measures)
WORKLOADS = {
    "random_mixed_16": ("random_mixed_sys", "20000000 16 42 1024 1", "20000 16 42 1024 1",
                        "ring of 1024 slots, free or malloc(16)"),
    "random_mixed_128": ("random_mixed_sys", "20000000 128 42 1024 1", "20000 128 42 1024 1",
                         "ring of 1024 slots, free or malloc(128)"),
    "random_mixed_1024": ("random_mixed_sys", "20000000 1024 42 1024 1",
                          "20000 1024 42 1024 1", "ring of 1024 slots, free or malloc(1024)"),
    "random_mixed_4096": ("random_mixed_sys", "5000000 4096 42 1024 1",
                          "20000 4096 42 1024 1", "ring of 1024 slots, free or malloc(4096)"),
    "larson_1t": ("larson", "0.5 1 128 1024 1 12345 1", "0.05 1 128 1024 1 12345 1",
                  "Larson, 1 thread chain, 1-128 B"),
    "larson_2t": ("larson", "0.5 1 128 1024 1 12345 2", "0.05 1 128 1024 1 12345 2",
                  "Larson, 2 thread chains, 1-128 B"),
    "larson_long_2t": ("larson", "0.5 8 1000 5000 100 4141 2", "0.05 8 1000 500 2 4141 2",
                       "Larson, 2 chains, 8-1000 B, threads live 500K ops"),
    "prodcons": ("prodcons", "2000000 16 256 1", "20000 16 256 1",
                 "1 producer mallocs, 1 consumer frees"),
    "prodcons_3c": ("prodcons", "2000000 16 256 1 1024 3", "20000 16 256 1 64 3",
                    "1 producer mallocs, 3 consumers free (xmalloc-test)"),
    "exchange_2t": ("exchange", "1000000 2", "5000 2 64",
                    "2 threads swap 16 B-64 KiB blocks through shared slots (rptest)"),
    "rubyish": ("rubyish", "3000000 1", "30000 1 5000",
                "strings, growing arrays, buffers; sweeps a quarter (rbstress)"),
    "thread_churn": ("thread_churn", "500 2 2000 1024", "10 2 200 1024",
                     "2 threads x 500 rounds: malloc, free, exit"),
    "false_sharing_active": ("false_sharing", "2 20000 5000 8 active", "2 200 500 8 active",
                             "2 threads write their own 8 B blocks"),
    "false_sharing_passive": ("false_sharing", "2 20000 5000 8 passive",
                              "2 200 500 8 passive", "the same after freeing main's blocks"),
    "realloc_heavy": ("realloc_heavy", "1000000 1", "10000 1",
                      "growing/shrinking buffers, 16 B-64 KiB"),
    "mixed_sizes": ("mixed_sizes", "3000000 1", "20000 1", "ring of 4096, 16 B-64 KiB"),
    "large_blocks": ("large_blocks", "20000 1", "500 1", "ring of 64, 64 KiB-4 MiB"),
    "large_cycle": ("large_cycle", "300 1", "20 1 4",
                    "20 blocks of 5-25 MiB, one replaced per op (malloc-large)"),
    "span_churn": ("span_churn", "20000 1 4000", "500 1 200",
                   "4000 blocks of 64 KiB-1 MiB live, one replaced per op"),
}

CALLGRIND_SIZES = (16, 128, 1024, 4096)
# Issue 5's targets for hakmem, instructions per malloc+free pair.
CALLGRIND_TARGET = {16: 30, 128: 30, 1024: 30, 4096: 70}

PHASE7_SIZES = (16, 128, 256, 512, 1024)

OPS_RE = re.compile(r"^ops/s:\s*([0-9.eE+]+)\s*$", re.M)


# ----------------------------------------------------------------------------- locating


def runfiles_root():
    """The workspace root inside the runfiles tree (or the source tree)."""
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.dirname(here)


def find_file(rel, extra_dirs):
    """A built file: under the runfiles root, then bazel-bin, then extra directories."""
    root = runfiles_root()
    candidates = [os.path.join(d, os.path.basename(rel)) for d in extra_dirs]
    candidates += [os.path.join(root, rel), os.path.join(root, "bazel-bin", rel)]
    for c in candidates:
        if os.path.isfile(c):
            return os.path.realpath(c)
    return None


def default_out_dir():
    ws = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
    if ws:
        return os.path.join(ws, "bench", "out")
    return os.path.join(os.getcwd(), "bench", "out")


# ----------------------------------------------------------------------------- running


class Result:
    def __init__(self):
        self.ok = False
        self.ops = None  # the workload's ops/s line
        self.wall = None  # seconds
        self.cpu = None  # user + sys seconds
        self.rss_kib = None  # ru_maxrss
        self.minflt = None  # ru_minflt: minor page faults
        self.error = ""
        self.stdout = ""


RUSAGE_RE = re.compile(r"exit=(-?\d+) signal=(\d+) wall=([0-9.]+) user=([0-9.]+) "
                       r"sys=([0-9.]+) maxrss_kib=(\d+)(?: minflt=(\d+))?")
RUSAGE_EXEC = []  # the path of bench/rusage_exec, found once in main()


def run_once(argv, preload, timeout):
    """Runs argv (with LD_PRELOAD=preload if given) through rusage_exec.

    rusage_exec forks the program from a small process: forking it from Python would make
    its peak RSS at least the interpreter's (Linux keeps the high-water mark across exec)."""
    res = Result()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(prefix="rusage.") as ru:
        wrapper = [RUSAGE_EXEC[0]] + (["-p", preload] if preload else []) + [ru.name]
        env = dict(os.environ)
        env.pop("LD_PRELOAD", None)
        proc = subprocess.Popen(wrapper + argv, env=env, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        killer = threading.Timer(timeout, lambda: os.killpg(proc.pid, 9))
        killer.start()
        try:
            proc.wait()
        finally:
            killer.cancel()
        out.seek(0)
        err.seek(0)
        res.stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
        m = RUSAGE_RE.search(open(ru.name).read())
    found = OPS_RE.findall(res.stdout)
    if not m:
        res.error = "timeout" if proc.returncode == -9 else "rusage_exec failed: " + stderr[-200:]
        return res
    code, sig = int(m.group(1)), int(m.group(2))
    res.wall = float(m.group(3))
    res.cpu = float(m.group(4)) + float(m.group(5))
    res.rss_kib = int(m.group(6))
    res.minflt = int(m.group(7)) if m.group(7) else None
    if "cannot be preloaded" in stderr:
        res.error = "LD_PRELOAD failed: " + stderr.strip().splitlines()[0]
    elif sig or code != 0:
        why = "signal %d" % sig if sig else "exit %d" % code
        tail = " | ".join(stderr.strip().splitlines()[-2:])
        res.error = why + (": " + tail if tail else "")
    elif not found:
        res.error = "no 'ops/s:' line in the output"
    else:
        res.ok = True
        res.ops = float(found[-1])
    return res


def median(values):
    v = sorted(x for x in values if x is not None)
    if not v:
        return None
    n = len(v)
    return v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2])


def fmt_eta(seconds):
    seconds = int(seconds + 0.5)
    return "%d:%02d" % (seconds // 60, seconds % 60)


class Progress:
    """One status line on stderr: rewritten in place on a terminal, else one line per step."""

    def __init__(self, total):
        self.total = total
        self.done = 0
        self.t0 = time.time()
        self.tty = sys.stderr.isatty()

    def step(self, text):
        self.done += 1
        elapsed = time.time() - self.t0
        eta = elapsed / self.done * (self.total - self.done)
        line = "[%d/%d %s, eta %s] %s" % (self.done, self.total, fmt_eta(elapsed), fmt_eta(eta),
                                          text)
        if self.tty:
            sys.stderr.write("\r\033[K" + line[:150])
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def close(self):
        if self.tty:
            sys.stderr.write("\n")
            sys.stderr.flush()


# ----------------------------------------------------------------------------- facts


def load_text():
    try:
        return "%.2f" % os.getloadavg()[0]
    except OSError:
        return "?"


def machine_facts():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return "%s, %d cores, Linux %s" % (cpu, os.cpu_count() or 0, platform.release())


def package_version(pkg):
    if not pkg:
        return None
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True,
                             text=True, timeout=10)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def fmt_ops(v):
    if v is None:
        return "-"
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if v >= div:
            return "%.3g%s" % (v / div, suffix)
    return "%.3g" % v


def fmt_ratio(a, b):
    if a is None or not b:
        return "-"
    return "%.2f" % (a / b)


# ----------------------------------------------------------------------------- modes


def resolve_allocators(names, hakmem_path):
    chosen = []
    for name in names:
        if name not in ALLOCATORS:
            sys.exit("compare: unknown allocator %r (known: %s)" % (name, ", ".join(ALLOCATORS)))
        lib, pkg, colour = ALLOCATORS[name]
        if name == "hakmem":
            lib = hakmem_path
            if not lib:
                print("compare: libhakmem.so not found (build //hakmem/override:libhakmem.so or "
                      "pass --hakmem); skipping hakmem", file=sys.stderr)
                continue
        elif lib and not os.path.exists(lib):
            print("compare: %s not installed (%s); skipping" % (name, lib), file=sys.stderr)
            continue
        version = package_version(pkg) if pkg else None
        chosen.append((name, lib, colour, version))
    if not chosen:
        sys.exit("compare: no allocator to run")
    return chosen


def preload_binds(lib, probe):
    """True if, with LD_PRELOAD=lib, the probe program's malloc and free bind to lib."""
    env = dict(os.environ)
    env["LD_PRELOAD"] = lib
    env["LD_DEBUG"] = "bindings"
    try:
        proc = subprocess.run([probe, "16", "1"], env=env, capture_output=True, text=True,
                              timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    bound = set()
    for line in proc.stderr.splitlines():
        for sym in ("malloc", "free"):
            if ("to %s [" % lib) in line and ("symbol `%s'" % sym) in line:
                bound.add(sym)
    return bound == {"malloc", "free"}


def check_preloads(allocs, probe):
    """Drops (with a message) every allocator whose library does not take over malloc."""
    if not probe:
        return allocs
    kept = []
    for a in allocs:
        if a[1] and not preload_binds(a[1], probe):
            print("compare: LD_PRELOAD=%s does not take over malloc/free (LD_DEBUG=bindings); "
                  "skipping %s" % (a[1], a[0]), file=sys.stderr)
            continue
        kept.append(a)
    if not kept:
        sys.exit("compare: no allocator to run")
    return kept


def select(names_csv, known, what):
    if not names_csv:
        return list(known)
    picked = []
    for pattern in names_csv.split(","):
        pattern = pattern.strip()
        hits = [k for k in known if fnmatch.fnmatchcase(k, pattern)]
        if not hits:
            sys.exit("compare: no %s matches %r (known: %s)" % (what, pattern, ", ".join(known)))
        picked += [h for h in hits if h not in picked]
    return picked


def cmd_compare(args, bin_dirs, out_dir, hakmem_path):
    workloads = select(args.workloads, WORKLOADS, "workload")
    allocs = resolve_allocators(select(args.allocators, ALLOCATORS, "allocator"), hakmem_path)
    allocs = check_preloads(allocs, find_file("bench/pair_loop", bin_dirs))
    commands = {}
    for w in workloads:
        binary, full, quick, _ = WORKLOADS[w]
        path = find_file("bench/" + binary, bin_dirs)
        if not path:
            sys.exit("compare: bench/%s not found (run through `bazel run //bench:compare` or "
                     "pass --bin-dir)" % binary)
        commands[w] = [path] + (quick if args.quick else full).split()

    load_before = load_text()
    results = {(w, a[0]): [] for w in workloads for a in allocs}
    progress = Progress(args.runs * len(workloads))
    for r in range(args.runs):
        for w in workloads:
            shift = (r + workloads.index(w)) % len(allocs)
            order = allocs[shift:] + allocs[:shift]
            shown = []
            for name, lib, _, _ in order:
                res = run_once(commands[w], lib, args.timeout)
                results[(w, name)].append(res)
                shown.append("%s %s" % (name, fmt_ops(res.ops) if res.ok else "FAIL"))
            progress.step("run %d/%d %s: %s" % (r + 1, args.runs, w, ", ".join(shown)))
    progress.close()

    names = [a[0] for a in allocs]
    summary = {}
    for w in workloads:
        for name in names:
            rs = results[(w, name)]
            good = [x for x in rs if x.ok]
            summary[(w, name)] = {
                "ops": median([x.ops for x in good]),
                "ops_min": min([x.ops for x in good], default=None),
                "ops_max": max([x.ops for x in good], default=None),
                "wall": median([x.wall for x in good]),
                "cpu": median([x.cpu for x in good]),
                "rss_mib": median([x.rss_kib / 1024.0 for x in good]),
                "minflt": median([x.minflt for x in good]),
                "runs": len(rs),
                "failed": len(rs) - len(good),
                "errors": sorted(set(x.error for x in rs if not x.ok)),
            }

    now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    machine = machine_facts()
    alloc_desc = []
    for name, lib, _, version in allocs:
        where = os.path.basename(lib) if lib else "system"
        alloc_desc.append("%s (%s%s)" % (name, where, ", " + version if version else ""))
    command = "bazel run //bench:compare -- " + " ".join(shlex.quote(a) for a in sys.argv[1:])

    md = []
    md.append("## Allocator comparison, %s" % now)
    md.append("")
    md.append("Machine: %s; load average %s before, %s after (other work on the machine "
              "makes threaded workloads noisy). Median of %d runs, allocators interleaved run "
              "by run%s." % (machine, load_before, load_text(), args.runs,
                             " (--quick sizes)" if args.quick else ""))
    md.append("Allocators: %s." % "; ".join(alloc_desc))
    md.append("Command: `%s`" % command.strip())
    md.append("")
    md.append("### Throughput (ops/s, and the ratio to glibc; higher is better)")
    md.append("")
    md.append("| workload | " + " | ".join(names) + " |")
    md.append("|---|" + "---:|" * len(names))
    for w in workloads:
        base = summary.get((w, "glibc"), {}).get("ops")
        cells = []
        for name in names:
            s = summary[(w, name)]
            if s["ops"] is None:
                cells.append("FAIL")
            else:
                cells.append("%s (%s)" % (fmt_ops(s["ops"]), fmt_ratio(s["ops"], base)))
        md.append("| %s | %s |" % (w, " | ".join(cells)))
    md.append("")
    for title, key, scale in (("Peak RSS (MiB; lower is better)", "rss_mib", 1.0),
                              ("Minor page faults (whole run, thousands; lower is better)",
                               "minflt", 1000.0)):
        md.append("### " + title)
        md.append("")
        md.append("| workload | " + " | ".join(names) + " |")
        md.append("|---|" + "---:|" * len(names))
        for w in workloads:
            cells = []
            for name in names:
                v = summary[(w, name)][key]
                cells.append("-" if v is None else "%.1f" % (v / scale))
            md.append("| %s | %s |" % (w, " | ".join(cells)))
        md.append("")
    md.append("### Detail")
    md.append("")
    md.append("Spread: (max - min) / median of ops/s over the runs; a large one means the "
              "machine was busy or the workload is scheduling-bound.")
    md.append("")
    md.append("| workload | allocator | ops/s | spread | x glibc | x mimalloc | wall s | CPU s | "
              "peak RSS MiB | RSS x mimalloc | failed |")
    md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for w in workloads:
        g = summary.get((w, "glibc"), {})
        m = summary.get((w, "mimalloc"), {})
        for name in names:
            s = summary[(w, name)]
            spread = ("-" if s["ops"] is None else
                      "%.0f%%" % (100.0 * (s["ops_max"] - s["ops_min"]) / s["ops"]))
            md.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d/%d |" % (
                w, name, fmt_ops(s["ops"]), spread, fmt_ratio(s["ops"], g.get("ops")),
                fmt_ratio(s["ops"], m.get("ops")),
                "-" if s["wall"] is None else "%.3f" % s["wall"],
                "-" if s["cpu"] is None else "%.3f" % s["cpu"],
                "-" if s["rss_mib"] is None else "%.1f" % s["rss_mib"],
                fmt_ratio(s["rss_mib"], m.get("rss_mib")), s["failed"], s["runs"]))
    failures = [(k, s["errors"]) for k, s in summary.items() if s["errors"]]
    if failures:
        md.append("")
        md.append("Failures:")
        for (w, name), errs in failures:
            for e in errs:
                md.append("- %s under %s: %s" % (w, name, e))
    md.append("")
    md.append("Workloads (bench/README.md has the details):")
    md.append("")
    for w in workloads:
        binary, full, quick, what = WORKLOADS[w]
        md.append("- `%s`: %s. `%s %s`" % (w, what, binary, quick if args.quick else full))
    data = {"date": now, "machine": machine, "runs": args.runs, "command": command,
            "allocators": alloc_desc, "workloads": workloads, "names": names,
            "results": {"%s/%s" % k: v for k, v in summary.items()},
            "raw": {"%s/%s" % k: [vars(x) for x in v] for k, v in results.items()}}
    report(out_dir, "compare", md, data)
    compare_charts(out_dir, data)
    return 0


def compare_charts(out_dir, data):
    """compare.png and compare.svg in out_dir from what compare.json holds: throughput and
    peak RSS of each workload relative to glibc."""
    results = data["results"]
    workloads = data.get("workloads") or list(dict.fromkeys(k.rsplit("/", 1)[0]
                                                            for k in results))
    names = data.get("names") or [a.split(" (")[0] for a in data["allocators"]]
    if "glibc" not in names:
        print("compare: no chart (glibc was not run)", file=sys.stderr)
        return
    thr_vals, thr_lab, rss_vals, rss_lab = [], [], [], []
    for w in workloads:
        g = results["%s/glibc" % w]
        cells = [results["%s/%s" % (w, name)] for name in names]
        thr_vals.append([s["ops"] / g["ops"] if s["ops"] and g["ops"] else None for s in cells])
        thr_lab.append(["%s ops/s" % fmt_ops(s["ops"]) for s in cells])
        rss_vals.append([s["rss_mib"] / g["rss_mib"] if s["rss_mib"] and g["rss_mib"] else None
                         for s in cells])
        rss_lab.append(["-" if s["rss_mib"] is None else "%.1f MiB" % s["rss_mib"]
                        for s in cells])
    write_charts(os.path.join(out_dir, "compare"),
                 "hakmem vs other allocators, %s" % data["date"],
                 "%s; median of %d runs" % (data["machine"], data["runs"]),
                 [("Throughput relative to glibc (higher is better)", workloads, thr_vals,
                   thr_lab, "glibc"),
                  ("Peak RSS relative to glibc (lower is better)", workloads, rss_vals, rss_lab,
                   "glibc")],
                 names, [ALLOCATORS.get(n, (None, None, "#7f7f7f"))[2] for n in names])


def write_charts(stem, *args):
    """charts.write_charts, or a note when matplotlib is missing."""
    try:
        paths = charts.write_charts(stem, *args)
    except ImportError as e:
        print("compare: no chart (%s under %s; tools/setup.sh installs Debian's "
              "python3-matplotlib for /usr/bin/python3)" % (e, sys.executable), file=sys.stderr)
        return
    print("compare: wrote %s" % " and ".join(paths), file=sys.stderr)


def cmd_callgrind(args, bin_dirs, out_dir, hakmem_path):
    pair_loop = find_file("bench/pair_loop", bin_dirs)
    pair_loop_hak = find_file("bench/pair_loop_hak", bin_dirs)
    if not pair_loop:
        sys.exit("compare: bench/pair_loop not found")
    n1, n2 = (int(x) for x in args.callgrind_iters.split(","))
    if n2 <= n1:
        sys.exit("compare: --callgrind-iters needs N1,N2 with N2 > N1")
    sizes = [int(x) for x in args.callgrind_sizes.split(",")]
    wanted = select(args.allocators, ALLOCATORS, "allocator")
    allocs = check_preloads(resolve_allocators(wanted, hakmem_path), pair_loop)
    # (label, argv of a run of SIZE and N pairs, preload); C++ rows after the malloc rows.
    def loop(binary, *extra):
        return lambda size, n: [binary, str(size), str(n)] + list(extra)
    rows = [(name, loop(pair_loop), lib) for name, lib, _, _ in allocs]
    if pair_loop_hak and "hakmem" in wanted:
        # The hak_* API linked in (no PLT, no override layer): runs before libhakmem.so exists.
        rows.append(("hakmem hak_* (linked)", loop(pair_loop_hak), None))
    n_malloc_rows = len(rows)
    new_delete_loop = find_file("bench/new_delete_loop", bin_dirs)
    if new_delete_loop:
        rows += [(name, loop(new_delete_loop, "sized"), lib) for name, lib, _, _ in allocs]
        if "hakmem" in wanted:
            lib = [lib for name, lib, _, _ in allocs if name == "hakmem"][0]
            rows.append(("hakmem, unsized delete", loop(new_delete_loop, "unsized"), lib))
    table = {}
    loop_cost = {}
    progress = Progress(len(rows) * len(sizes))
    with tempfile.TemporaryDirectory() as tmp:
        for i, (label, argv_of, lib) in enumerate(rows):
            if i >= n_malloc_rows:
                label += " (new+delete)"
            for size in sizes:
                try:
                    table[(label, size)], loop_cost[(label, size)] = callgrind.per_op(
                        lambda n: argv_of(size, n), n1, n2, lib, tmp, args.timeout)
                    shown = "%.1f (+%.1f in the loop)" % (table[(label, size)],
                                                          loop_cost[(label, size)])
                except (RuntimeError, subprocess.SubprocessError, OSError) as e:
                    table[(label, size)] = None
                    shown = "FAIL " + str(e)[:80]
                progress.step("callgrind %s %d B: %s Ir/pair" % (label, size, shown))
    progress.close()
    now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    md = ["## Instructions per malloc+free pair (callgrind), %s" % now, "",
          "Machine: %s; valgrind %s. Instructions per malloc+free pair in `pair_loop SIZE "
          "ITERS`: (Ir(%d) - Ir(%d)) / %d, less the loop's own instructions in `main` "
          "(%s per pair: loop, argument set-up, calls; PLT stubs are counted as the "
          "allocator's). Allocators are LD_PRELOADed (callgrind does not replace malloc); "
          "one other block of SIZE stays live." %
          (machine_facts(), valgrind_version(), n2, n1, n2 - n1,
           "/".join(sorted(set("%.0f" % v for v in loop_cost.values() if v is not None)))
           or "?"),
          "Command: `bazel run //bench:compare -- %s`" %
          " ".join(shlex.quote(a) for a in sys.argv[1:]), "",
          "| allocator | " + " | ".join("%d B" % s for s in sizes) + " |",
          "|---|" + "---:|" * len(sizes)]
    def row(label):
        md.append("| %s | %s |" % (label, " | ".join(
            "-" if table[(label, s)] is None else "%.1f" % table[(label, s)] for s in sizes)))
    for label, _, _ in rows[:n_malloc_rows]:
        row(label)
    md.append("| *hakmem target (issue 5)* | %s |" %
              " | ".join("<= %d" % CALLGRIND_TARGET[s] if s in CALLGRIND_TARGET else "" for s in
                         sizes))
    if len(rows) > n_malloc_rows:
        md += ["", "Instructions per C++ `::operator new(SIZE)` + `::operator delete(p, SIZE)` "
               "pair in `new_delete_loop SIZE ITERS sized` (the unsized row: "
               "`::operator delete(p)`), measured the same way. The glibc row is libstdc++'s "
               "operator new and delete over glibc's malloc; the others export their own.",
               "", "| allocator | " + " | ".join("%d B" % s for s in sizes) + " |",
               "|---|" + "---:|" * len(sizes)]
        for label, _, _ in rows[n_malloc_rows:]:
            row(label + " (new+delete)")
    report(out_dir, "callgrind", md,
           {"date": now, "iters": [n1, n2],
            "ir_per_pair": {"%s/%d" % k: v for k, v in table.items()},
            "loop_ir_per_pair": {"%s/%d" % k: v for k, v in loop_cost.items()}})
    return 0


def report(out_dir, name, md, data=None):
    """Prints the Markdown lines md and writes them to NAME.md in out_dir, with data
    (if any) as NAME.json beside them."""
    text = "\n".join(md) + "\n"
    print(text)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, name + ".md"), "w") as f:
        f.write(text)
    if data is not None:
        with open(os.path.join(out_dir, name + ".json"), "w") as f:
            json.dump(data, f, indent=1, default=str)


def valgrind_version():
    try:
        return subprocess.run(["valgrind", "--version"], capture_output=True, text=True,
                              timeout=10).stdout.strip().replace("valgrind-", "")
    except (OSError, subprocess.SubprocessError):
        return "?"


PHASE7_HAK_RE = re.compile(r"^hakmem ops/s:\s*([0-9.eE+]+)", re.M)
PHASE7_SYS_RE = re.compile(r"^system ops/s:\s*([0-9.eE+]+)", re.M)
PHASE7_BUILD_RE = re.compile(r"^hakmem build: (.*)$", re.M)


def cmd_phase7(args, out_dir):
    """Runs random_mixed binaries built with different flags (bench/phase7.sh makes them)."""
    bin_dir = args.phase7
    variants = []
    with open(os.path.join(bin_dir, "variants.txt")) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                name, flags = line.rstrip("\n").split("|", 1)
                variants.append((name, flags, os.path.join(bin_dir, "random_mixed." + name)))
    sizes = [int(x) for x in args.phase7_sizes.split(",")]
    ns = [int(x) for x in args.phase7_n.split(",")]
    cases = [(n, s) for n in ns for s in sizes]
    hak = {(c, v[0]): [] for c in cases for v in variants}
    sysv = {c: [] for c in cases}
    builds = {}
    errors = []
    progress = Progress(args.runs * len(cases))
    for r in range(args.runs):
        for ci, (n, size) in enumerate(cases):
            shift = (r + ci) % len(variants)
            shown = []
            for name, _, binary in variants[shift:] + variants[:shift]:
                res = run_once([binary, str(n), str(size), "42", "1024", "1"], None,
                               args.timeout)
                h = PHASE7_HAK_RE.search(res.stdout)
                s = PHASE7_SYS_RE.search(res.stdout)
                b = PHASE7_BUILD_RE.search(res.stdout)
                if b:
                    builds[name] = b.group(1)
                clean = res.ok or res.error.startswith("no 'ops/s:'")  # it prints two
                if h and s and clean:
                    hak[((n, size), name)].append(float(h.group(1)))
                    sysv[(n, size)].append(float(s.group(1)))
                    shown.append("%s %s" % (name, fmt_ops(float(h.group(1)))))
                else:
                    errors.append("%s N=%d size=%d: %s" % (name, n, size, res.error))
                    shown.append("%s FAIL" % name)
            progress.step("run %d/%d N=%d size=%d: %s" % (r + 1, args.runs, n, size,
                                                          ", ".join(shown)))
    progress.close()
    now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    names = [v[0] for v in variants]
    md = ["## Phase 7 flags, one at a time: random_mixed, %s" % now, "",
          "Machine: %s; load average %s at the end. Each cell: median over %d fresh "
          "processes of `random_mixed N SIZE 42 1024 1` (hakmem, then the system malloc, in "
          "one process; no warm-up, so a process's cold start is inside N ops). M ops/s, and "
          "in brackets the ratio to the system malloc measured in the same processes." %
          (machine_facts(), load_text(), args.runs), ""]
    md.append("| variant | bazel flags | build info |")
    md.append("|---|---|---|")
    for name, flags, _ in variants:
        md.append("| %s | `%s` | %s |" % (name, flags, builds.get(name, "?")))
    md.append("")
    md.append("| N | size | " + " | ".join(names) + " | system |")
    md.append("|---:|---:|" + "---:|" * (len(names) + 1))
    chart_vals, chart_lab, groups = [], [], []
    for n, size in cases:
        sm = median(sysv[(n, size)])
        cells, vals, labs = [], [], []
        for name in names:
            m = median(hak[((n, size), name)])
            cells.append("-" if m is None else "%.1f (%s)" % (m / 1e6, fmt_ratio(m, sm)))
            vals.append(m / sm if m and sm else None)
            labs.append("-" if m is None else "%.1f M ops/s" % (m / 1e6))
        cells.append("-" if sm is None else "%.1f" % (sm / 1e6))
        md.append("| %s | %d | %s |" % (fmt_ops(n), size, " | ".join(cells)))
        groups.append("N=%s %dB" % (fmt_ops(n), size))
        chart_vals.append(vals)
        chart_lab.append(labs)
    if errors:
        md.append("")
        md.append("Failures:")
        md += ["- " + e for e in sorted(set(errors))]
    if not args.no_callgrind:
        md += phase7_callgrind(args, variants, sizes)
    report(out_dir, "phase7", md)
    palette = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#7f7f7f"]
    write_charts(os.path.join(out_dir, "phase7"), "Phase 7 flags: random_mixed, %s" % now,
              "%s; hakmem ops/s relative to the system malloc, median of %d" %
              (machine_facts(), args.runs),
              [("hakmem / system malloc (higher is better)", groups, chart_vals, chart_lab,
                "system malloc")], names,
              [palette[i % len(palette)] for i in range(len(names))])
    return 0


def phase7_callgrind(args, variants, sizes):
    """Instructions per op of random_mixed (hakmem alone) per variant: repeatable on a busy
    machine. Cold: Ir(N1) / N1, process start-up and the first touches included. Steady:
    (Ir(N2) - Ir(N1)) / (N2 - N1)."""
    n1, n2 = (int(x) for x in args.phase7_callgrind_n.split(","))
    table = {}
    progress = Progress(len(variants) * len(sizes))
    with tempfile.TemporaryDirectory() as tmp:
        for name, _, binary in variants:
            for size in sizes:
                try:
                    costs = []
                    for n in (n1, n2):
                        out = os.path.join(tmp, "cg.%s.%d.%d" % (name, size, n))
                        argv = [binary, str(n), str(size), "42", "1024", "1", "hak"]
                        costs.append(callgrind.run(argv, None, out, args.timeout)[0])
                    table[(name, size)] = (costs[0] / float(n1),
                                           (costs[1] - costs[0]) / float(n2 - n1))
                    shown = "%.1f cold, %.1f steady" % table[(name, size)]
                except (RuntimeError, subprocess.SubprocessError, OSError) as e:
                    table[(name, size)] = None
                    shown = "FAIL " + str(e)[:80]
                progress.step("callgrind %s %d B: %s Ir/op" % (name, size, shown))
    progress.close()
    names = [v[0] for v in variants]
    md = ["", "Instructions per op (callgrind; exact, unlike the timings above) of "
          "`random_mixed N SIZE 42 1024 1 hak` (hakmem alone; an op is a malloc+touch or a "
          "free). *cold*: Ir(%d) / %d, process start-up and first use included; *steady*: "
          "(Ir(%d) - Ir(%d)) / %d." % (n1, n1, n2, n1, n2 - n1), "",
          "| size | " + " | ".join("%s cold / steady" % n for n in names) + " |",
          "|---:|" + "---:|" * len(names)]
    for size in sizes:
        cells = []
        for name in names:
            v = table[(name, size)]
            cells.append("-" if v is None else "%.1f / %.1f" % v)
        md.append("| %d | %s |" % (size, " | ".join(cells)))
    return md


def main():
    parser = argparse.ArgumentParser(
        description="Compare hakmem with glibc and other allocators on bench/ workloads.")
    parser.add_argument("--runs", type=int, default=5, help="runs per allocator (median)")
    parser.add_argument("--workloads", help="comma-separated names or globs (see --list)")
    parser.add_argument("--allocators",
                        help="comma-separated subset of " + ",".join(ALLOCATORS))
    parser.add_argument("--out", help="output directory (default <workspace>/bench/out)")
    parser.add_argument("--list", action="store_true", help="list workloads and exit")
    parser.add_argument("--quick", action="store_true",
                        help="tiny arguments, to check that everything runs")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per run")
    parser.add_argument("--bin-dir", action="append", default=[],
                        help="look for workload binaries here first")
    parser.add_argument("--hakmem", help="libhakmem.so to LD_PRELOAD (default: the runfile)")
    parser.add_argument("--lib", action="append", default=[], metavar="NAME=PATH",
                        help="another allocator to run beside the others, e.g. an older "
                        "build: hakmem-old=/tmp/libhakmem.so (add NAME to --allocators)")
    parser.add_argument("--callgrind", action="store_true",
                        help="instructions per malloc+free pair instead of timings")
    parser.add_argument("--callgrind-iters", default="50000,250000", help="N1,N2")
    parser.add_argument("--callgrind-sizes", default=",".join(map(str, CALLGRIND_SIZES)))
    parser.add_argument("--phase7", metavar="DIR",
                        help="run the random_mixed variants in DIR (made by bench/phase7.sh)")
    parser.add_argument("--phase7-sizes", default=",".join(map(str, PHASE7_SIZES)))
    parser.add_argument("--phase7-n", default="100000,10000000",
                        help="N values: the note's 100K (cold start inside) and 10M")
    parser.add_argument("--phase7-callgrind-n", default="100000,400000",
                        help="N1,N2 for the phase7 instruction counts")
    parser.add_argument("--no-callgrind", action="store_true",
                        help="phase7: timings only, no instruction counts")
    parser.add_argument("--replot", action="store_true",
                        help="redraw compare.png and compare.svg from compare.json in --out; "
                        "runs nothing")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    if args.list:
        for name, (binary, full, _, what) in WORKLOADS.items():
            print("%-22s %s %s\n%22s %s" % (name, binary, full, "", what))
        return 0
    out_dir = os.path.abspath(args.out) if args.out else default_out_dir()
    if args.replot:
        with open(os.path.join(out_dir, "compare.json")) as f:
            compare_charts(out_dir, json.load(f))
        return 0
    for spec in args.lib:
        name, sep, path = spec.partition("=")
        if not sep or not name or name in ALLOCATORS:
            sys.exit("compare: --lib wants NAME=PATH with a new NAME, not %r" % spec)
        ALLOCATORS[name] = (os.path.realpath(path), None, "#9467bd")
    bin_dirs = [os.path.abspath(d) for d in args.bin_dir]
    if args.phase7:
        bin_dirs.append(os.path.abspath(args.phase7))
    wrapper = find_file("bench/rusage_exec", bin_dirs)
    if not wrapper:
        sys.exit("compare: bench/rusage_exec not found (run through bazel or pass --bin-dir)")
    RUSAGE_EXEC.append(wrapper)
    hakmem_path = (os.path.realpath(args.hakmem) if args.hakmem else
                   find_file("hakmem/override/libhakmem.so", []))
    if args.phase7:
        return cmd_phase7(args, out_dir)
    if args.callgrind:
        return cmd_callgrind(args, bin_dirs, out_dir, hakmem_path)
    return cmd_compare(args, bin_dirs, out_dir, hakmem_path)


if __name__ == "__main__":
    sys.exit(main())
