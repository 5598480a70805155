#!/usr/bin/env python3
"""Prints hakmem's JSON statistics as tables.

Reads the objects HAKMEM_SHOW_STATS=json (`hakmem --stats`) and hak_stats_json
write, one per line, from the files named or standard input; other lines (a
program's own output on the same stream) are skipped. One table per process.

  hakmem --stats -- sort big.txt 2>&1 >/dev/null | tools/hakmem_stats.py
"""
import argparse
import json
import sys


def reports(lines):
    for line in lines:
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict) and "hakmem" in obj and "classes" in obj:
            yield obj


def table(obj, all_classes):
    out = ["hakmem %s, pid %s" % (obj["hakmem"], obj.get("pid", "?"))]
    out.append("  bytes in use  %d (peak %d): small %d, large %d" %
               (obj["bytes_in_use"], obj["bytes_in_use_peak"], obj["small_bytes_in_use"],
                obj["large_bytes_in_use"]))
    out.append("  large blocks  %d allocated, %d freed" % (obj["large_allocs"], obj["large_frees"]))
    out.append("  OS            %d bytes mapped, %d resident; %d maps, %d unmaps, %d decommits" %
               (obj["os_mapped"], obj["os_resident"], obj["os_maps"], obj["os_unmaps"],
                obj["os_decommits"]))
    out.append("  heaps         %d" % obj["heaps"])
    cols = ["block_size", "blocks_out", "refills", "spills", "remote_frees"]
    rows = [[str(k[c]) for c in cols] for k in obj["classes"]
            if all_classes or k["blocks_out"] or k["refills"]]
    head = [c.replace("_", " ") for c in cols]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(head)]
    for r in [head] + rows:
        out.append("  " + "  ".join(v.rjust(w) for v, w in zip(r, widths)))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", help="files to read (default: standard input)")
    ap.add_argument("--all", action="store_true", help="every class, also those never used")
    args = ap.parse_args()
    if args.files:
        lines = (l for f in args.files for l in open(f, encoding="utf-8", errors="replace"))
    else:
        lines = sys.stdin
    found = [table(obj, args.all) for obj in reports(lines)]
    if not found:
        print("hakmem_stats: no hakmem statistics found (HAKMEM_SHOW_STATS=json)", file=sys.stderr)
        return 1
    print("\n\n".join(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
