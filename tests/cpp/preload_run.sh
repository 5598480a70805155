#!/bin/bash
# usage: preload_run.sh LIBHAKMEM_SO PROGRAM: runs PROGRAM under LD_PRELOAD=LIBHAKMEM_SO.
set -euo pipefail
LD_PRELOAD="$(realpath "$1")" exec "$2"
