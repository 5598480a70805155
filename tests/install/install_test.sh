#!/bin/bash
# Does what a user does: installs hakmem into a bare prefix (dist/install.sh,
# which `bazel run //:install` runs), builds a program with
# `cc $(pkg-config --cflags --libs hakmem)` and with libhakmem.a and runs it,
# runs programs under `hakmem` (the library mapped, --stats JSON parsed, exit
# status, LD_PRELOAD kept, --version against pkg-config), uninstalls and finds
# the prefix empty; also DESTDIR, a reinstall, and a changed file kept.
#
# usage: install_test.sh INSTALL_SH --lib=... (install.sh's file arguments) USER_PROG_C STATS_PY
#        install_test.sh --skip-sanitizer
set -euo pipefail

if [[ "${1:-}" == "--skip-sanitizer" ]]; then
  echo "install_test: skipped: under a sanitizer config the library is built with -fsanitize"
  exit 0
fi
INSTALL_SH=$(realpath "$1")
shift
FILES=()
while [[ "${1:-}" == --* ]]; do
  FILES+=("${1%%=*}=$(realpath "${1#*=}")")
  shift
done
USER_PROG_C=$(realpath "$1")
STATS_PY=$(realpath "$2")
PY=/usr/bin/python3
export LC_ALL=C
unset LD_PRELOAD PKG_CONFIG_PATH LD_LIBRARY_PATH DESTDIR
for v in $(env | sed -n 's/^\(HAKMEM_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
command -v pkg-config >/dev/null || {
  echo "install_test: pkg-config is missing (tools/setup.sh installs pkgconf)" >&2
  exit 1
}

WORK=$(mktemp -d "${TEST_TMPDIR:-/tmp}/install.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
ok() { echo "ok: $*"; }

# The files of an install, relative to the prefix, one a line ("path -> target"
# for a symlink), sorted.
listing() {
  (cd "$1" && find . -mindepth 1 \( -type l -printf '%P -> %l\n' \) -o \( ! -type d -printf '%P\n' \)) |
    sort
}

PREFIX=$WORK/prefix # a bare prefix, as `mktemp -d` makes it
mkdir "$PREFIX"
"$INSTALL_SH" --prefix="$PREFIX" "${FILES[@]}" >"$WORK/install.out"
version=$(pkg-config --modversion "$PREFIX/lib/pkgconfig/hakmem.pc")
major=${version%%.*}
cat >"$WORK/expected" <<EOF
bin/hakmem
include/hakmem/hakmem.h
lib/libhakmem-hardened.so -> libhakmem-hardened.so.$major
lib/libhakmem-hardened.so.$major -> libhakmem-hardened.so.$version
lib/libhakmem-hardened.so.$version
lib/libhakmem.a
lib/libhakmem.so -> libhakmem.so.$major
lib/libhakmem.so.$major -> libhakmem.so.$version
lib/libhakmem.so.$version
lib/pkgconfig/hakmem.pc
libexec/hakmem/hakmem-info
share/hakmem/install-manifest
share/man/man1/hakmem.1
EOF
listing "$PREFIX" >"$WORK/installed"
if cmp -s "$WORK/expected" "$WORK/installed"; then
  ok "installed $version: $(wc -l <"$WORK/installed") files and links"
else
  fail "the installed files are not the expected ones:"
  diff "$WORK/expected" "$WORK/installed" >&2 || true
fi
readelf -d "$PREFIX/lib/libhakmem.so.$version" | grep -q "Library soname: \[libhakmem.so.$major\]" ||
  fail "libhakmem.so.$version has no soname libhakmem.so.$major"

# A second install replaces the first, leaving the same files.
"$INSTALL_SH" --prefix="$PREFIX" "${FILES[@]}" >"$WORK/reinstall.out"
listing "$PREFIX" | cmp -s - "$WORK/installed" || fail "a second install left other files"

# --- a program built with pkg-config against the hak_* API ---
export PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig
cd "$WORK"
# shellcheck disable=SC2046 # pkg-config's words are meant to split
if cc -std=c11 -Wall -Wextra -Werror -o user_prog "$USER_PROG_C" $(pkg-config --cflags --libs hakmem); then
  if readelf -d user_prog | grep -q "Shared library: \[libhakmem.so.$major\]"; then
    ok "cc \$(pkg-config --cflags --libs hakmem) links libhakmem.so.$major"
  else
    fail "user_prog does not need libhakmem.so.$major"
  fi
  if LD_LIBRARY_PATH=$PREFIX/lib ./user_prog >user_prog.out 2>user_prog.err; then
    if $PY -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
stats = json.loads(lines[0])
assert lines[1] == "version " + sys.argv[2], lines[1]
assert stats["hakmem"] == sys.argv[2] and len(stats["classes"]) == stats["num_classes"]
assert stats["small_bytes_in_use"] >= 100, stats
' user_prog.out "$version"; then
      ok "user_prog: malloc, options, mallopt and hak_stats_json from the installed library"
    else
      fail "user_prog's output:" && cat user_prog.out >&2
    fi
  else
    fail "user_prog failed:" && cat user_prog.err >&2
  fi
else
  fail "cc \$(pkg-config --cflags --libs hakmem) failed"
fi

# --- the same program with the static archive: no libhakmem.so needed ---
# shellcheck disable=SC2046
if cc -std=c11 -o user_prog_static "$USER_PROG_C" $(pkg-config --cflags hakmem) \
  "$PREFIX/lib/libhakmem.a" -lpthread; then
  if readelf -d user_prog_static | grep -q libhakmem; then
    fail "user_prog_static still needs libhakmem.so"
  elif ./user_prog_static >static.out 2>static.err; then
    ok "libhakmem.a: linked in, malloc is hakmem's"
  else
    fail "user_prog_static failed:" && cat static.err >&2
  fi
else
  fail "linking libhakmem.a failed"
fi

# --- hakmem -- COMMAND: the installed library is mapped ---
HAKMEM=$PREFIX/bin/hakmem
if "$HAKMEM" -- /bin/sh -c 'cat /proc/self/maps' >maps.txt &&
  grep -q " $PREFIX/lib/libhakmem.so.$version\$" maps.txt; then
  ok "hakmem -- /bin/sh -c 'cat /proc/self/maps': $PREFIX/lib/libhakmem.so.$version mapped"
else
  fail "hakmem -- cat /proc/self/maps: libhakmem.so.$version not mapped:"
  grep -i hakmem maps.txt >&2 || true
fi
if "$HAKMEM" --hardened -- /bin/sh -c 'cat /proc/self/maps' >maps_h.txt &&
  grep -q " $PREFIX/lib/libhakmem-hardened.so.$version\$" maps_h.txt &&
  ! grep -q "libhakmem.so" maps_h.txt; then
  ok "hakmem --hardened maps libhakmem-hardened.so.$version alone"
else
  fail "hakmem --hardened: not the hardened library alone"
fi

# --- hakmem --stats: a Python one-liner's statistics, parsed as JSON ---
if "$HAKMEM" --stats -- $PY -c 'print(sum(len(str(i)) for i in range(100000)))' \
  >py.out 2>py.err; then
  [[ "$(cat py.out)" == 488890 ]] || fail "python3 under hakmem printed '$(cat py.out)'"
  if $PY -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
s = json.loads(lines[0])
assert s["hakmem"] == sys.argv[2]
assert s["bytes_in_use_peak"] > 1000000, s["bytes_in_use_peak"]
assert sum(k["refills"] for k in s["classes"]) > 0
print("python3: peak %d bytes, %d refills" % (s["bytes_in_use_peak"],
      sum(k["refills"] for k in s["classes"])))
' py.err "$version" >py.check; then
    ok "hakmem --stats -- python3 -c ...: one JSON object; $(cat py.check)"
  else
    fail "hakmem --stats: not one JSON object of hakmem $version on stderr:"
    head -c 2000 py.err >&2
  fi
  if $PY "$STATS_PY" py.err >table.txt && grep -q "^hakmem $version, pid " table.txt; then
    ok "tools/hakmem_stats.py: $(wc -l <table.txt) lines of table"
  else
    fail "tools/hakmem_stats.py on the --stats output"
  fi
else
  fail "hakmem --stats -- python3 failed:" && head -c 2000 py.err >&2
fi

# --- exit status, LD_PRELOAD kept behind, --option, errors ---
rc=0
"$HAKMEM" -- /bin/sh -c 'exit 42' || rc=$?
[[ $rc == 42 ]] || fail "hakmem -- sh -c 'exit 42' exited $rc"
rc=0
"$HAKMEM" -- /no/such/command 2>/dev/null || rc=$?
[[ $rc == 127 ]] || fail "hakmem -- /no/such/command exited $rc, not 127"
rc=0
"$HAKMEM" --option NO_SUCH=1 -- true 2>err.txt || rc=$?
[[ $rc == 2 ]] && grep -q "unknown option NO_SUCH" err.txt || fail "--option NO_SUCH=1: exit $rc"
other=$(realpath "$(ldd /bin/sh | sed -n 's/.*=> \(.*libc\.so\.6\) .*/\1/p')")
preload=$(LD_PRELOAD=$other "$HAKMEM" -- /bin/sh -c 'echo "$LD_PRELOAD"')
[[ "$preload" == "$PREFIX/lib/libhakmem.so.$major $other" ]] ||
  fail "an existing LD_PRELOAD: hakmem ran with LD_PRELOAD='$preload'"
"$HAKMEM" --verbose --option purge_delay_ms=7 --option=HAKMEM_REFILL_BATCH=5 -- true 2>verbose.txt
if grep -q "^hakmem: HAKMEM_PURGE_DELAY_MS=7 " verbose.txt &&
  grep -q "^hakmem: HAKMEM_REFILL_BATCH=5 " verbose.txt; then
  ok "exit status 42 and 127, LD_PRELOAD kept behind, --option and --verbose"
else
  fail "--option with --verbose:" && cat verbose.txt >&2
fi

# --- hakmem --version and pkg-config agree (and with the header) ---
"$HAKMEM" --version >version.txt
header_version=$(sed -n 's/^#define  *HAKMEM_VERSION_\(MAJOR\|MINOR\|PATCH\)  *\([0-9]*\) *$/\2/p' \
  "$PREFIX/include/hakmem/hakmem.h" | paste -sd.)
if [[ "$(head -1 version.txt)" == "hakmem $(pkg-config --modversion hakmem)" &&
  "$header_version" == "$version" ]] && grep -q "^build: header_classidx=" version.txt &&
  grep -q "^library: $PREFIX/lib/libhakmem.so.$major$" version.txt; then
  ok "hakmem --version: $(head -1 version.txt), as pkg-config --modversion and hakmem.h say"
else
  fail "hakmem --version ($(head -1 version.txt)), pkg-config ($version), hakmem.h ($header_version)"
  cat version.txt >&2
fi
grep -q "^\.TH HAKMEM 1 .*hakmem $version" "$PREFIX/share/man/man1/hakmem.1" &&
  grep -q "^\.B HAKMEM_PURGE_DELAY_MS$" "$PREFIX/share/man/man1/hakmem.1" ||
  fail "the man page lacks its version or the options"

# --- uninstall: the prefix is empty again ---
"$INSTALL_SH" --prefix="$PREFIX" --uninstall >uninstall.out
left=$(find "$PREFIX" -mindepth 1 | head -5)
[[ -z "$left" ]] && ok "uninstall: $PREFIX is empty" || fail "uninstall left: $left"
rc=0
"$INSTALL_SH" --prefix="$PREFIX" --uninstall 2>/dev/null || rc=$?
[[ $rc != 0 ]] || fail "a second uninstall (no manifest) succeeded"

# A file changed since the install is kept (and said so); the rest goes.
"$INSTALL_SH" --prefix="$PREFIX" "${FILES[@]}" >/dev/null
echo "# local edit" >>"$PREFIX/lib/pkgconfig/hakmem.pc"
rc=0
"$INSTALL_SH" --prefix="$PREFIX" --uninstall 2>uninstall.err || rc=$?
left=$(listing "$PREFIX")
if [[ $rc != 0 && "$left" == lib/pkgconfig/hakmem.pc ]] && grep -q "hakmem.pc changed" uninstall.err; then
  ok "uninstall keeps a changed file and says so"
else
  fail "uninstall with a changed hakmem.pc: exit $rc, left: $left"
fi
rm -rf "${PREFIX:?}"/*

# --- DESTDIR: staged under it, paths inside for the real prefix ---
STAGE=$WORK/stage
DESTDIR=$STAGE "$INSTALL_SH" --prefix=/opt/hakmem "${FILES[@]}" >/dev/null
if [[ "$(listing "$STAGE/opt/hakmem")" == "$(cat "$WORK/installed")" ]] &&
  grep -q "^libdir='/opt/hakmem/lib'$" "$STAGE/opt/hakmem/bin/hakmem" &&
  grep -q "^prefix=/opt/hakmem$" "$STAGE/opt/hakmem/lib/pkgconfig/hakmem.pc"; then
  ok "DESTDIR: staged in $STAGE/opt/hakmem for /opt/hakmem"
else
  fail "DESTDIR install"
fi
DESTDIR=$STAGE "$INSTALL_SH" --prefix=/opt/hakmem --uninstall >/dev/null
[[ -z "$(find "$STAGE" -mindepth 1 ! -type d)" && ! -e "$STAGE/opt/hakmem" ]] ||
  fail "DESTDIR uninstall left files or the prefix"

if [[ $failures -ne 0 ]]; then
  echo "install_test: $failures failure(s)" >&2
  exit 1
fi
echo "install_test: passed"
