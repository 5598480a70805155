"""Instruction counts under callgrind: shared by compare.py --callgrind and the fast-path
guard (tests/fastpath). Exact and repeatable on any machine, unlike a clock.

A loop of N operations is run at two lengths N1 < N2; start-up and exit cancel out in the
difference, and the instructions of `main` itself (the loop, argument set-up, the calls)
are taken out, so what is left is the allocator's cost per operation (PLT stubs included).

Python 3 standard library only.
"""

import os
import re
import subprocess


def costs(path):
    """(total Ir, self Ir of main) from a callgrind output file."""
    total = None
    main_self = 0
    names = {}
    in_main = False
    skip_next = False  # the cost line after calls= is a call's inclusive cost
    with open(path) as f:
        for line in f:
            if line.startswith("fn=") or line.startswith("cfn="):
                # fn= and cfn= share one table of compressed names: "(id) name" defines.
                m = re.match(r"c?fn=(?:\((\d+)\))?\s*(.*)$", line.rstrip("\n"))
                ident, name = m.group(1), m.group(2)
                if ident and name:
                    names[ident] = name
                if line.startswith("fn="):
                    in_main = (name or names.get(ident)) == "main"
            elif line.startswith("calls="):
                skip_next = True
            elif line[:1] in "0123456789+-*":
                if skip_next:
                    skip_next = False
                elif in_main:
                    main_self += int(line.split()[-1])
            elif line.startswith("summary:") or line.startswith("totals:"):
                total = int(line.split()[1])
    if total is None:
        raise RuntimeError("no totals in " + path)
    return total, main_self


def run(argv, preload, out, timeout, env=None):
    """(total Ir, self Ir of main) of argv run under callgrind, with preload (a library
    path or None) as the only LD_PRELOAD."""
    env = dict(os.environ if env is None else env)
    env.pop("LD_PRELOAD", None)
    if preload:
        env["LD_PRELOAD"] = preload
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] + argv
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0 or "cannot be preloaded" in proc.stderr:
        raise RuntimeError("valgrind failed (exit %d): %s" %
                           (proc.returncode, proc.stderr.strip()[-300:]))
    return costs(out)


def per_op(argv_of, n1, n2, preload, tmpdir, timeout, env=None):
    """(allocator Ir per operation, main's own Ir per operation) of argv_of(N), a command
    that does N operations, from runs at N = n1 and n2."""
    if n2 <= n1:
        raise ValueError("per_op needs n2 > n1")
    results = []
    for n in (n1, n2):
        argv = argv_of(n)
        out = os.path.join(tmpdir, "cg.%s.%d.out" % (re.sub(r"[^A-Za-z0-9]+", "_",
                                                            " ".join(argv[-3:])), n))
        results.append(run(argv, preload, out, timeout, env))
    (ir1, loop1), (ir2, loop2) = results
    loop = (loop2 - loop1) / float(n2 - n1)
    return (ir2 - ir1) / float(n2 - n1) - loop, loop
