#!/bin/bash -eu
# One build for OSS-Fuzz and ClusterFuzzLite: fuzz/oss-fuzz/build.sh.
exec bash "$SRC/hakmem/fuzz/oss-fuzz/build.sh"
