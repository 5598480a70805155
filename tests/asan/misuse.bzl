"""One misuse program and the test that expects its report."""

load("@rules_cc//cc:defs.bzl", "cc_binary")

def misuse_test(name, source, report):
    """The program `name` (from `name`.c) and `name`_test.

    The test passes only when the program dies at its misuse with the report:
    source "asan" (report: ASan's bug kind) or "hakmem" (report: the misuse
    hk_fatal names). Configs without ASan print why they skip.
    """
    cc_binary(
        name = name,
        testonly = True,
        srcs = [name + ".c"],
        deps = [":misuse"],
    )
    native.sh_test(
        name = name + "_test",
        srcs = ["expect_report.sh"],
        args = select({
            "//:asan": ["$(location :%s)" % name, "--" + source, "'%s'" % report],
            "//conditions:default": ["--skip"],
        }),
        data = [":" + name],
    )
