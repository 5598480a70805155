"""hk_fuzzer: one harness as a test in every config, plus its seed corpus zip.

Under --config=fuzz the test is a libFuzzer binary that runs a bounded number
of inputs from its corpus and regressions; everywhere else it links
replay_main.c, which replays the same files and then seeded random inputs.
"""

load("@rules_cc//cc:defs.bzl", "cc_test")
load("//hakmem:copts.bzl", "HK_COPTS")

def hk_fuzzer(name, deps = [], fuzz_runs = 20000, replay_runs = 2000, max_len = 4096, size = "medium", copts = [], **kwargs):
    """Defines <name>_fuzzer (the test) and <name>_fuzzer_seed_corpus.zip.

    Args:
      name: the harness, fuzz/<name>_fuzzer.c; its corpus is fuzz/corpus/<name>/,
        its regression inputs fuzz/regressions/<name>/, its dictionary fuzz/<name>.dict.
      deps: hakmem targets beyond //hakmem.
      fuzz_runs: inputs libFuzzer runs under --config=fuzz.
      replay_runs: seeded random inputs the replay main runs elsewhere.
      max_len: the longest input (bytes), as in fuzz/<name>.options.
      size: the test size.
      copts: extra compiler options.
      **kwargs: passed to cc_test (tags, timeout, ...).
    """
    corpus = native.glob(["corpus/%s/*" % name])
    regressions = native.glob(["regressions/%s/*" % name], exclude = ["regressions/%s/*.txt" % name])
    cc_test(
        name = name + "_fuzzer",
        size = size,
        srcs = [name + "_fuzzer.c"],
        # Checks of known open bugs (fuzz/fuzz_common.h): off in the bounded test
        # runs, on with --define=hk_fuzz_known_bugs=on (tools/fuzz.sh).
        copts = HK_COPTS + copts + select({
            "//fuzz:known_bugs": ["-DHKF_KNOWN_BUGS=1"],
            "//conditions:default": ["-DHKF_KNOWN_BUGS=0"],
        }),
        args = select({
            "//:fuzz": [
                "-runs=%d" % fuzz_runs,
                "-max_total_time=120",
                "-max_len=%d" % max_len,
                "-seed=1",
                "-dict=fuzz/%s.dict" % name,
            ],
            "//conditions:default": [
                "-runs=%d" % replay_runs,
                "-max_len=%d" % max_len,
            ],
        }) + ["fuzz/corpus/" + name] + (["fuzz/regressions/" + name] if regressions else []),
        data = corpus + regressions + [name + ".dict"],
        linkopts = select({
            "//:fuzz": ["-fsanitize=fuzzer"],
            "//conditions:default": ["-lpthread"],
        }),
        deps = [
            ":common",
            "//hakmem",
        ] + deps + select({
            "//:fuzz": [],
            "//conditions:default": [":replay_main"],
        }),
        **kwargs
    )

    # OSS-Fuzz's name for a target's seeds: <binary>_seed_corpus.zip, flat.
    native.genrule(
        name = name + "_seed_corpus",
        srcs = corpus,
        outs = [name + "_fuzzer_seed_corpus.zip"],
        cmd = "zip -q -j -X $@ $(SRCS)" if corpus else "echo empty | zip -q $@ -",
    )
