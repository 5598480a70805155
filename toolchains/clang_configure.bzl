"""A second auto-configured C/C++ toolchain whose compiler is clang-14.

Bazel's own cc_configure does the work; only the compiler path is overridden, so
the fuzz and clang configs select it with --crosstool_top and keep the gcc
toolchain (the default) untouched.
"""

load("@bazel_tools//tools/cpp:cc_configure.bzl", "cc_autoconf_impl")

def _clang_toolchain_impl(repository_ctx):
    clang = repository_ctx.which("clang-14") or repository_ctx.which("clang")
    if not clang:
        fail("clang-14 not found: run tools/setup.sh")
    cc_autoconf_impl(repository_ctx, overriden_tools = {"gcc": clang})

clang_toolchain = repository_rule(
    implementation = _clang_toolchain_impl,
    environ = ["PATH"],
    configure = True,
    local = True,
)
