"""Planted bugs: --define=hk_plant=<name> compiles one realistic bug into the
allocator (an #ifdef HAKMEM_PLANT_<NAME> hunk of 1-3 lines in a core file), so
tools/fuzz_plant.sh can show which harness finds it. Never in a shipped build.
"""

PLANTED_BUGS = [
    "refill_loses_block",  # box/refill.c: a carved block drops off the batch
    "spill_pushes_twice",  # box/refill.c: spill puts its first block back twice
    "remote_drops_last",  # box/remote_free.c: collection loses a list's last block
    "span_short_unit",  # core/span.c: span size ignores the block's offset
    "realloc_copies_short",  # api/hak.c: a growing realloc copies one byte short
    "aligned_half_alignment",  # box/aligned.c: an aligned class of half the alignment
]

def plant_copts():
    """The -DHAKMEM_PLANT_<NAME> flag of the bug --define=hk_plant selects."""
    cases = {
        "//hakmem/plant:" + bug: ["-DHAKMEM_PLANT_" + bug.upper() + "=1"]
        for bug in PLANTED_BUGS
    }
    cases["//conditions:default"] = []
    return select(cases)
