#!/usr/bin/env python3
"""Writes the hand-made seeds of fuzz/corpus/<harness>/ (seed_* files).

Each seed is a small program in its harness's input format (see the comment at
the top of fuzz/<harness>_fuzzer.c) that reaches one path: tiny, mid, span and
large blocks, the aligned family, remote frees, thread exit and adoption, fork,
purge and trim, options, class edges. Inputs the fuzzer adds through
tools/fuzz.sh (-merge=1) sit beside them under their hash names.

Usage: python3 fuzz/gen_corpus.py  (from the repository root; idempotent)
"""
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

# hkf_size(): the top three bits of the 16-bit size code pick the range.
TINY, MID, EDGE_CLASS, SPAN, LARGE, EDGE = 0, 3, 4, 5, 6, 7


def size(rng, low=0):
    return struct.pack("<H", rng << 13 | (low & 0x1FFF))


def write(harness, name, data):
    d = os.path.join(ROOT, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed_" + name), "wb") as f:
        f.write(data)


# alloc_ops: opcode, slot, size (2), extra.
MALLOC, CALLOC, REALLOC, REALLOC0, FREE, ALIGNED_FREE, ALIGNED = 0, 2, 3, 4, 5, 6, 7
FREE_SIZED, USABLE, TRIM, STATS, REALLOCARRAY, CALLOC_OVF, MALLOC0 = 8, 9, 10, 11, 12, 13, 14


def op(code, slot, sz, extra=0):
    return bytes([code, slot]) + sz + bytes([extra])


def alloc_ops():
    tiny = b"".join(op(MALLOC, i, size(TINY, i * 37)) for i in range(8))
    tiny += op(CALLOC, 8, size(TINY, 300), 3) + op(REALLOC, 0, size(TINY, 900))
    tiny += op(REALLOC, 1, size(TINY, 2)) + op(FREE, 2, size(TINY)) + op(USABLE, 3, size(TINY))
    tiny += op(FREE_SIZED, 4, size(TINY, 100)) + op(MALLOC0, 5, size(TINY)) + op(STATS, 0, size(0))
    write("alloc_ops", "tiny", tiny)
    mid = b"".join(op(MALLOC, i, size(MID, i * 911)) for i in range(6))
    mid += op(REALLOC, 0, size(MID, 7000)) + op(REALLOC, 1, size(TINY, 10))
    mid += op(CALLOC, 6, size(MID, 4000), 5) + op(REALLOCARRAY, 2, size(MID, 50), 6)
    mid += op(REALLOCARRAY, 3, size(MID, 50), 1) + op(TRIM, 0, size(0)) + op(STATS, 0, size(0))
    write("alloc_ops", "mid", mid)
    span = b"".join(op(MALLOC, i, size(SPAN, i * 1500)) for i in range(4))
    span += op(REALLOC, 0, size(SPAN, 8000)) + op(REALLOC, 1, size(MID, 8000))
    span += op(REALLOC, 2, size(LARGE, 10)) + op(CALLOC, 5, size(SPAN, 99), 1)
    span += op(FREE, 3, size(0)) + op(TRIM, 0, size(0)) + op(USABLE, 0, size(0))
    write("alloc_ops", "span", span)
    large = b"".join(op(MALLOC, i, size(LARGE, i * 2000)) for i in range(3))
    large += op(REALLOC, 0, size(LARGE, 8000)) + op(REALLOC, 1, size(LARGE, 5))
    large += op(REALLOC, 2, size(SPAN, 5)) + op(CALLOC, 4, size(LARGE, 3000), 0)
    large += op(FREE, 4, size(0)) + op(MALLOC, 4, size(LARGE, 3000))  # a reused mapping
    large += op(CALLOC, 5, size(LARGE, 3000), 0) + op(REALLOC0, 0, size(0)) + op(STATS, 0, size(0))
    write("alloc_ops", "large", large)
    # extra: variant << 5 | alignment exponent (mod 23).
    aligned = b""
    for variant in range(6):
        for lg in (0, 3, 5, 6, 9, 12, 13, 16, 21, 22):
            aligned += op(ALIGNED, (variant * 10 + lg) % 64, size(TINY, 40 + lg), variant << 5 | lg)
    aligned += op(ALIGNED_FREE, 0, size(MID, 100), 12) + op(ALIGNED_FREE, 1, size(LARGE, 1), 22)
    aligned += op(REALLOC, 9, size(MID, 5000)) + op(USABLE, 12, size(0))
    write("alloc_ops", "aligned", aligned)
    edges = b"".join(op(MALLOC, i, size(EDGE, i)) for i in range(23))
    edges += b"".join(op(MALLOC, 23 + c, size(EDGE_CLASS, c | (c % 3) << 6)) for c in range(40))
    write("alloc_ops", "edges", edges)
    misc = op(CALLOC_OVF, 0, size(0)) + op(REALLOCARRAY, 0, size(0), 1) + op(REALLOC, 0, size(0))
    misc += op(REALLOC0, 0, size(0)) + op(TRIM, 0, size(0), 5) + op(USABLE, 0, size(0))
    write("alloc_ops", "misc", misc)
    # op 13 (extra % 6): refused requests, NULL, reports (0..3), small aligned
    # bursts (5); the OS refusing maps (4; extra bit 3: two refusals, bit 7: a
    # 4 MiB alignment): extras 4, 10, 130, 136.
    edge = b"".join(op(CALLOC_OVF, 0, size(TINY, 10), e) for e in (0, 1, 2, 3, 5, 11, 17))
    edge += op(MALLOC, 1, size(LARGE, 10)) + op(CALLOC_OVF, 2, size(TINY, 10), 4)
    edge += op(CALLOC_OVF, 3, size(SPAN, 10), 10) + op(CALLOC_OVF, 4, size(MID, 1), 136)
    edge += op(CALLOC_OVF, 5, size(LARGE, 9), 130) + op(STATS, 0, size(0))
    write("alloc_ops", "oom_edges", edge)


# threads: thread count byte, then (what << 2 | who), slot, size (2).
T_MALLOC, T_FREE, T_REALLOC, T_READ, T_BURST, T_BATCH, T_FREE_BATCH, T_TRIM, T_EXIT = (
    0, 3, 4, 5, 6, 8, 9, 10, 63)


def top(what, who, slot, sz):
    return bytes([what << 2 | who, slot]) + sz


def threads():
    remote = b"\x00" + b"".join(top(T_MALLOC, 0, i, size(TINY, 16 * i)) for i in range(16))
    remote += b"".join(top(T_FREE, 1, i, size(0)) for i in range(16))
    remote += b"".join(top(T_MALLOC, 0, i, size(TINY, 16 * i)) for i in range(16))
    write("threads", "remote", remote)
    batch = b"\x01" + top(T_BATCH, 0, 15, size(TINY, 64)) + top(T_BATCH, 0, 15, size(MID, 64))
    batch += top(T_FREE_BATCH, 1, 0, size(0)) + top(T_BURST, 0, 100, size(TINY, 64))
    batch += top(T_BURST, 2, 60, size(MID, 900)) + top(T_TRIM, 1, 0, size(0))
    write("threads", "batch", batch)
    adopt = b"\x02" + b"".join(top(T_MALLOC, 0, i, size(MID, 300 * i)) for i in range(8))
    adopt += top(T_EXIT, 0, 0, size(0)) + b"".join(top(T_FREE, 1, i, size(0)) for i in range(4))
    adopt += b"".join(top(T_MALLOC, 0, i, size(MID, 300 * i)) for i in range(8))
    adopt += top(T_EXIT, 1, 0, size(0)) + top(T_TRIM, 3, 0, size(0))
    write("threads", "adopt", adopt)
    big = b"\x01" + top(T_MALLOC, 0, 0, size(SPAN, 100)) + top(T_MALLOC, 0, 1, size(LARGE, 100))
    big += top(T_REALLOC, 1, 0, size(SPAN, 3000)) + top(T_REALLOC, 2, 1, size(LARGE, 4000))
    big += top(T_READ, 1, 1, size(0)) + top(T_FREE, 2, 0, size(0)) + top(T_EXIT, 0, 0, size(0))
    write("threads", "big", big)


# lifecycle: opcode, argument, size-range byte (size code = byte << 8 | argument).
L_MALLOC, L_FREE, L_THREAD, L_FORK, L_PURGE, L_TRIM, L_DELAY, L_BURST = 0, 3, 4, 6, 7, 8, 9, 11


def lop(code, arg, rng=0):
    return bytes([code, arg, rng << 5])


def lifecycle():
    threads_ = b"".join(lop(L_MALLOC, i, TINY) for i in range(4))
    threads_ += b"".join(lop(L_THREAD, a, TINY) for a in (0, 1, 2, 3, 8, 9, 126, 127))
    threads_ += lop(L_FREE, 0) + lop(L_TRIM, 0)
    write("lifecycle", "threads_prewarm", threads_)
    fork = lop(L_MALLOC, 1, MID) + lop(L_MALLOC, 2, SPAN) + lop(L_MALLOC, 3, LARGE)
    fork += lop(L_THREAD, 4, TINY) + lop(L_FORK, 5, MID) + lop(L_FORK, 6, LARGE) + lop(L_FREE, 1)
    write("lifecycle", "fork", fork)
    purge = lop(L_DELAY, 1) + lop(L_BURST, 10, MID) + lop(L_MALLOC, 1, SPAN) + lop(L_FREE, 1)
    purge += lop(L_PURGE, 0) + lop(L_DELAY, 0) + lop(L_BURST, 70, TINY) + lop(L_TRIM, 0)
    purge += lop(L_THREAD, 5, MID) + lop(L_PURGE, 0)
    write("lifecycle", "purge_trim", purge)
    # op 10: a misuse in a child; argument & 15 picks it (8: bad pointers
    # with HAKMEM_ABORT_ON_ERROR=0).
    L_MISUSE = 10
    write("lifecycle", "misuse", lop(L_MALLOC, 1) + lop(L_MISUSE, 1) + lop(L_MISUSE, 2))
    write("lifecycle", "misuse_big", lop(L_MISUSE, 3) + lop(L_MISUSE, 4, LARGE))
    write("lifecycle", "misuse_span", lop(L_MISUSE, 5, SPAN) + lop(L_MISUSE, 6, SPAN))
    write("lifecycle", "misuse_span_interior", lop(L_MISUSE, 7, SPAN))
    write("lifecycle", "misuse_going_on", lop(L_MISUSE, 8, MID))
    # op 9's bits: purge delay 0, background purger, large decay 0, no large cache.
    bg = lop(L_DELAY, 1 | 2 | 4) + lop(L_MALLOC, 1, LARGE) + lop(L_FREE, 1) + lop(L_BURST, 9, MID)
    bg += lop(L_THREAD, 4, MID) + lop(L_MALLOC, 2, SPAN) + lop(L_FREE, 2) + lop(L_MALLOC, 3, LARGE)
    bg += lop(L_DELAY, 8) + lop(L_MALLOC, 5, LARGE) + lop(L_FREE, 5) + lop(L_TRIM, 0)
    write("lifecycle", "background_purge", bg)
    # a thread argument with bit 6: a destructor allocates after hakmem's exit handler
    write("lifecycle", "late_alloc", lop(L_THREAD, 0x40, TINY) + lop(L_THREAD, 0x41, SPAN))


# options: option index (HK_OPTIONS order), value, NUL.
def options():
    opts = [  # (default, low, high) of each option, in HK_OPTIONS order
        (16, 0, 1024), (32, 1, 1024), (65536, 1024, 16777216), (50, 0, 3600000),
        (134217728, 0, 1 << 40), (1000, 0, 3600000), (0, 0, 2), (0, 0, 2)]
    good = bad = b""
    for i, (d, lo, hi) in enumerate(opts):
        for v in (d, lo, hi, (lo + hi) // 2):
            good += bytes([i]) + str(v).encode() + b"\0"
        for v in (str(hi + 1), str(lo - 1), "", "abc", "12x", " 7", "0x10", "9" * 30, "+5"):
            bad += bytes([i]) + v.encode() + b"\0"
    write("options", "good", good)
    write("options", "bad", bad)
    write("options", "verbose", b"\x071\0\x072\0\x00007\0")
    # bit 7 of the index: the run-time API (hak_option_set/get, mallopt).
    rt = b"".join(bytes([0x80 | i]) + v + b"\0" for i in range(8)
                  for v in (b"\x01\x05", b"\x02\x01\x01", b"\x01\x01\x02", b"\xff\xff\xff"))
    write("options", "runtime", rt)
    write("options", "words", b"\x06text\0\x06json\0\x06JSON\0\x00text\0")


# size_class: size (8 bytes LE; the top byte picks the reach), alignment exponent.
def size_class():
    small = b"".join(struct.pack("<QB", n, lg) for n, lg in
                     ((0, 0), (1, 4), (16, 5), (1024, 6), (1025, 7), (1039, 12), (4097, 9),
                      (65535, 0), (65599, 3), (65600, 0)))
    write("size_class", "small", small)
    big = b"".join(struct.pack("<QB", 160 << 56 | n, lg) for n, lg in
                   ((70000, 0), (1 << 20, 13), (3 << 20, 21), (4 << 20, 22)))
    write("size_class", "large", big)
    edges = b"".join(struct.pack("<QB", 224 << 56 | i | k << 8, i % 24)
                     for i in range(23) for k in range(3))
    write("size_class", "edges", edges)
    huge = struct.pack("<QB", (1 << 64) - 1, 0) + struct.pack("<QB", 0xF0 << 56 | 5, 4)
    write("size_class", "huge", huge)


if __name__ == "__main__":
    alloc_ops()
    threads()
    lifecycle()
    options()
    size_class()
