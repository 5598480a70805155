#!/bin/sh
echo "coverage is not supported in hakmem's offline Bazel setup" >&2
exit 1
