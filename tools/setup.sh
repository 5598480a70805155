#!/usr/bin/env bash
# One-shot, idempotent setup of a fresh Debian 12 (bookworm) x86-64 machine for hakmem.
# Only Debian's packages and the npm registry are reachable, so everything comes from there
# (see /work/shared/notes/bazel-offline.md). A second run touches no network and takes < 2 s.
set -euo pipefail

# Build and test needs: Bazel 4.2.3 (Debian's bootstrap build), gcc and clang-14 with its
# sanitizer/libFuzzer runtimes and lld, Google Benchmark, valgrind (callgrind fast-path
# guards), clang-format, matplotlib (the benchmark charts), the peer allocators the
# benchmarks compare against, pkg-config (the install test builds a program with it), llvm-14
# (tools/fuzz_coverage.sh) and zip (the fuzzers' seed zips).
PACKAGES=(
  bazel-bootstrap gcc g++ clang-14 libclang-rt-14-dev lld-14 llvm-14 zip libbenchmark-dev valgrind
  clang-format python3 python3-matplotlib libmimalloc2.0 libjemalloc2 libtcmalloc-minimal4 git
  procps pkgconf
)
# buildifier (format check only) comes from npm; pinned so every machine formats alike.
BUILDIFIER_NPM="@bazel/buildifier@${BUILDIFIER_VERSION:-8.2.1}"
# How long to wait for another apt/dpkg (e.g. unattended-upgrades on a fresh boot).
LOCK_WAIT_S=300

log() { echo "setup: $*"; }
warn() { echo "setup: WARNING: $*" >&2; }
die() {
  echo "setup: ERROR: $*" >&2
  exit 1
}

[[ "$(uname -m)" == x86_64 ]] || die "hakmem targets Linux x86-64, this is $(uname -m)"
if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
  die "apt-get/dpkg-query not found: this script is for Debian 12"
fi

SUDO=()
if [[ "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null || die "not root and sudo is not installed"
  SUDO=(sudo)
fi

is_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" == "ii"* ]]
}

# Runs apt-get quietly, retrying while another apt/dpkg holds a lock (DPkg::Lock::Timeout
# covers the dpkg frontend lock; the loop also covers the lists lock of `apt-get update`).
# On failure the tail of apt's output is shown.
apt_get() {
  local deadline=$((SECONDS + LOCK_WAIT_S)) out rc
  out="$(mktemp)"
  while :; do
    rc=0
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get -q -y -o DPkg::Lock::Timeout="$LOCK_WAIT_S" "$@" </dev/null >"$out" 2>&1 || rc=$?
    if ((rc != 0)) && ((SECONDS < deadline)) &&
      grep -qE 'Could not get lock|Unable to lock|is another process using it' "$out"; then
      log "apt is locked by another process; retrying in 10 s"
      sleep 10
      continue
    fi
    ((rc == 0)) || tail -n 25 "$out" | sed 's/^/  apt: /' >&2
    rm -f "$out"
    return "$rc"
  done
}

APT_UPDATED=0
apt_update_once() {
  ((APT_UPDATED)) && return 0
  log "apt-get update"
  apt_get update || { echo "setup: apt-get update failed" >&2; return 1; }
  APT_UPDATED=1
}

# Installs the given packages; on failure names the package that cannot be installed.
apt_install() {
  local p
  apt_update_once || return 1
  for p in "$@"; do
    # "Candidate: (none)" or no policy at all means apt cannot install it from any source.
    # (Captured first: `grep -q` closing the pipe early would fail the pipeline under pipefail.)
    [[ "$(apt-cache policy "$p" 2>/dev/null)" == *"Candidate: "[!\(]* ]] ||
      { echo "setup: package '$p' is not available from the configured apt sources" >&2; return 1; }
  done
  log "apt-get install $*"
  apt_get install --no-install-recommends "$@" && return 0
  # The batch failed: retry one by one so the message names the culprit.
  for p in "$@"; do
    is_installed "$p" && continue
    apt_get install --no-install-recommends "$p" ||
      { echo "setup: package '$p' could not be installed" >&2; return 1; }
  done
}

missing=()
for p in "${PACKAGES[@]}"; do
  is_installed "$p" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing ${#missing[@]} missing package(s): ${missing[*]}"
  apt_install "${missing[@]}" || die "could not install the required packages (see above)"
else
  log "all ${#PACKAGES[@]} Debian packages already installed"
fi

# buildifier: optional here (only the format check needs it), so failures only warn.
if command -v buildifier >/dev/null; then
  log "buildifier present ($(buildifier --version 2>/dev/null | head -n1))"
else
  if ! command -v npm >/dev/null; then
    log "npm missing; installing nodejs and npm from Debian for buildifier"
    apt_install nodejs npm || warn "could not install nodejs/npm"
  fi
  if command -v npm >/dev/null; then
    log "npm install -g $BUILDIFIER_NPM"
    "${SUDO[@]}" npm install -g --no-fund --no-audit "$BUILDIFIER_NPM" </dev/null >/dev/null ||
      warn "npm install $BUILDIFIER_NPM failed"
  fi
  command -v buildifier >/dev/null ||
    warn "buildifier unavailable: tools/format_check.sh cannot check BUILD files (fails under CI)"
fi

# Debian's /usr/bin/bazel wrapper picks /usr/bin/bazel-<.bazelversion>: only "4" (or no file)
# finds bazel-bootstrap's binary; "4.2.3" does not.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -f "$root/.bazelversion" ]]; then
  v="$(head -n1 "$root/.bazelversion" | tr -d '[:space:]')"
  [[ "$v" == 4 ]] || die ".bazelversion says '$v'; Debian's bazel wrapper needs '4' or no file"
fi
# `bazel version` exits 2 on Debian's build ("Version information not available": it is not
# stamped), so check with --version, which also runs the real binary but starts no server.
bv="$(cd "$root" && bazel --version 2>&1)" || die "bazel does not run: $bv"
log "bazel OK ($bv; Debian bazel-bootstrap $(dpkg-query -W -f='${Version}' bazel-bootstrap))"
log "done"
