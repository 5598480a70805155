#!/bin/bash
# bazel run //:install -- [--prefix=DIR] [--uninstall]: builds the shipped
# library (--config=phase7) and the hardened one (--config=hardened), then
# installs them with dist/install.sh. `bazel run` has let go of the server by
# the time this runs, so it may call bazel itself.
set -euo pipefail

[[ -n "${BUILD_WORKSPACE_DIRECTORY:-}" ]] || {
  echo "install: run me as: bazel run //:install -- --prefix=DIR" >&2
  exit 2
}
runfiles=$PWD # bazel run starts us in our runfiles, at the workspace's root
install_sh=$runfiles/dist/install.sh

# A relative --prefix means relative to where bazel was run.
cd "${BUILD_WORKING_DIRECTORY:-$BUILD_WORKSPACE_DIRECTORY}"
for arg; do
  if [[ "$arg" == -h || "$arg" == --help ]]; then
    echo "usage: bazel run //:install -- [--prefix=DIR] [--uninstall]   (DIR: /usr/local; DESTDIR honoured)"
    exit 0
  fi
  [[ "$arg" == --uninstall ]] && exec "$install_sh" "$@"
done

bazel_in_workspace() { (cd "$BUILD_WORKSPACE_DIRECTORY" && bazel "$@"); }
bazel_in_workspace build --config=phase7 //dist:artifacts
bazel_in_workspace build --config=hardened //hakmem/override:libhakmem.so
bin=$(bazel_in_workspace info --config=phase7 bazel-bin)
hardened_bin=$(bazel_in_workspace info --config=hardened bazel-bin)

exec "$install_sh" "$@" \
  --lib="$bin/hakmem/override/libhakmem.so" \
  --hardened-lib="$hardened_bin/hakmem/override/libhakmem.so" \
  --archive="$bin/hakmem/override/libhakmem.a" \
  --info="$bin/dist/hakmem-info" \
  --man="$bin/dist/hakmem.1" \
  --header="$runfiles/hakmem/include/hakmem/hakmem.h" \
  --wrapper="$runfiles/dist/hakmem.in" \
  --pc="$runfiles/dist/hakmem.pc.in"
