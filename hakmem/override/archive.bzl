"""cc_archive: one static archive of a cc_library and every library it links in.

Bazel 4 has no cc_static_library; users linking the override in want a single
libhakmem.a, not one archive per package.
"""

def _cc_archive_impl(ctx):
    cc_toolchain = ctx.attr._cc_toolchain[cc_common.CcToolchainInfo]
    archives = []
    for dep in ctx.attr.deps:
        for linker_input in dep[CcInfo].linking_context.linker_inputs.to_list():
            for lib in linker_input.libraries:
                archive = lib.pic_static_library or lib.static_library
                if archive and archive not in archives:
                    archives.append(archive)
    out = ctx.actions.declare_file(ctx.label.name)

    # ar's MRI script keeps members of the same name from different archives
    # (core/stats.o and api/stats.o), which extracting and re-adding would not.
    script = ctx.actions.declare_file(ctx.label.name + ".mri")
    ctx.actions.write(script, "".join(
        ["CREATE %s\n" % out.path] +
        ["ADDLIB %s\n" % a.path for a in archives] +
        ["SAVE\nEND\n"],
    ))
    ctx.actions.run_shell(
        inputs = archives + [script],
        outputs = [out],
        tools = cc_toolchain.all_files,
        command = '"$1" -M < "$2"',
        arguments = [cc_toolchain.ar_executable, script.path],
        mnemonic = "CcArchive",
        progress_message = "Archiving %s" % out.short_path,
    )
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

cc_archive = rule(
    implementation = _cc_archive_impl,
    attrs = {
        "deps": attr.label_list(providers = [CcInfo]),
        "_cc_toolchain": attr.label(default = "@bazel_tools//tools/cpp:current_cc_toolchain"),
    },
)
