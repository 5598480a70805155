#!/bin/bash
# Installs hakmem from built files into PREFIX ($DESTDIR honoured), writing a
# manifest of every file, link and directory it made; --uninstall removes what
# the manifest lists and nothing else. `bazel run //:install` calls it with the
# shipped builds' files, tests/install with the test build's.
#
# usage: install.sh [--prefix=DIR] --lib=SO --hardened-lib=SO --archive=A --info=BIN
#                   --header=H --wrapper=IN --pc=IN --man=IN
#        install.sh [--prefix=DIR] --uninstall
set -euo pipefail

MANIFEST=share/hakmem/install-manifest

die() {
  echo "install: $*" >&2
  exit 1
}
warn() { echo "install: warning: $*" >&2; }

prefix=/usr/local uninstall=0
declare -A src=()
for arg; do
  case $arg in
  --prefix=*) prefix=${arg#*=} ;;
  --uninstall) uninstall=1 ;;
  --lib=* | --hardened-lib=* | --archive=* | --info=* | --header=* | --wrapper=* | --pc=* | --man=*)
    key=${arg%%=*}
    src[${key#--}]=${arg#*=}
    ;;
  -h | --help)
    sed -n '2,/^set /{/^set /d;s/^# \{0,1\}//;p}' "$0"
    exit 0
    ;;
  *) die "unknown argument '$arg' (try --help)" ;;
  esac
done
[[ -n "$prefix" && "$prefix" != *$'\n'* ]] || die "bad --prefix"
prefix=$(realpath -m -- "$prefix") # absolute, relative to where it was run
base=${prefix%/}                   # "" for /
root=${DESTDIR:-}
manifest=$root$base/$MANIFEST

# Runs ldconfig when the library directory is one the dynamic loader searches.
refresh_loader_cache() {
  [[ -z "$root" && "$(id -u)" == 0 ]] && command -v ldconfig >/dev/null || return 0
  local dirs
  dirs=$(ldconfig -N -v 2>/dev/null) || true # (not piped to grep -q: SIGPIPE under pipefail)
  if grep -q "^$base/lib:" <<<"$dirs"; then
    ldconfig || warn "ldconfig failed"
  fi
}

# The path of a manifest line ("file SHA256 PATH", "link PATH", "dir PATH").
uninstall() {
  [[ -f "$manifest" ]] || die "no $manifest: hakmem was not installed in $prefix"
  local kind rest path sum kept=0 dirs=() i
  while IFS=' ' read -r kind rest; do
    path=$rest
    [[ "$kind" == file ]] && sum=${rest%% *} path=${rest#* }
    [[ "$kind" == \#* || -z "$kind" ]] && continue
    if [[ "$path" != "$base"/* && ! ("$kind" == dir && "$path" == "$base") ]]; then
      warn "skipping $path: not under $prefix"
      continue
    fi
    case $kind in
    file)
      if [[ -L "$root$path" || ! -e "$root$path" ]]; then
        warn "$path is gone or not the file installed; left alone"
      elif [[ "$(sha256sum <"$root$path")" != "$sum  -" ]]; then
        warn "$path changed since it was installed; kept"
        kept=$((kept + 1))
      else
        rm -f -- "$root$path"
      fi
      ;;
    link) [[ -L "$root$path" ]] && rm -f -- "$root$path" ;;
    dir) dirs+=("$path") ;;
    *) warn "unknown manifest line: $kind $rest" ;;
    esac
  done <"$manifest"
  rm -f -- "$manifest"
  for ((i = ${#dirs[@]} - 1; i >= 0; i--)); do
    rmdir -- "$root${dirs[i]}" 2>/dev/null || [[ ! -d "$root${dirs[i]}" ]] ||
      warn "${dirs[i]} is not empty; kept"
  done
  ((kept == 0)) || die "$kept changed file(s) kept"
}

if ((uninstall)); then
  uninstall
  refresh_loader_cache
  echo "install: uninstalled hakmem from $prefix"
  exit 0
fi

for key in lib hardened-lib archive info header wrapper pc man; do
  [[ -n "${src[$key]:-}" ]] || die "--$key=FILE is missing (try --help)"
  [[ -f "${src[$key]}" ]] || die "--$key=${src[$key]}: no such file"
done
version_part() {
  sed -n "s/^#define  *HAKMEM_VERSION_$1  *\([0-9][0-9]*\) *$/\1/p" "${src[header]}"
}
major=$(version_part MAJOR) minor=$(version_part MINOR) patch=$(version_part PATCH)
[[ -n "$major" && -n "$minor" && -n "$patch" ]] || die "no HAKMEM_VERSION_* in ${src[header]}"
version=$major.$minor.$patch
soname=$(readelf -d "${src[lib]}" | sed -n 's/.*Library soname: \[\(.*\)\]$/\1/p')
[[ "$soname" == "libhakmem.so.$major" ]] ||
  die "${src[lib]} has soname '$soname', not libhakmem.so.$major: built from another hakmem.h?"

# An earlier install's files go first, so none of them is left behind.
if [[ -f "$manifest" ]]; then
  echo "install: replacing the hakmem installed in $prefix"
  uninstall
fi

# make_dir PATH: creates PATH (absolute, under the prefix) and the missing
# directories above it down from the prefix, recording each it creates.
record() { printf '%s\n' "$*" >>"$manifest"; }
made_dirs=()
make_dir() {
  local path=$1 sub=$base part rest
  rest=${path#"$base"}
  [[ -n "$base" && ! -d "$root$base" ]] && mkdir -p -- "$root$base" && made_dirs+=("$base")
  IFS=/ read -ra parts <<<"${rest#/}"
  for part in "${parts[@]}"; do
    sub=$sub/$part
    if [[ ! -d "$root$sub" ]]; then
      mkdir -- "$root$sub"
      made_dirs+=("$sub")
    fi
  done
}
# The manifest's own directory first, so every later entry can be recorded.
make_dir "$base/${MANIFEST%/*}"
: >"$manifest"
record "# hakmem $version installed in $prefix; bazel run //:install -- --uninstall --prefix=$prefix"
for d in "${made_dirs[@]}"; do record "dir $d"; done

# put MODE FILE PATH: installs FILE at PATH (relative to the prefix).
put() {
  local mode=$1 file=$2 path=$base/$3
  made_dirs=()
  make_dir "${path%/*}"
  for d in "${made_dirs[@]}"; do record "dir $d"; done
  install -m "$mode" -- "$file" "$root$path"
  record "file $(sha256sum <"$root$path" | cut -d' ' -f1) $path"
}
# link TARGET PATH: a symlink at PATH (relative to the prefix).
link() {
  ln -sfn -- "$1" "$root$base/$2"
  record "link $base/$2"
}
sed_escape() { printf '%s' "$1" | sed 's/[\\|&]/\\&/g'; }
# put_template MODE FILE PATH: FILE with @PREFIX@ & co. filled in.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
put_template() {
  local out
  out="$tmp/${3##*/}"
  sed -e "s|@PREFIX@|$(sed_escape "$prefix")|g" -e "s|@LIBDIR@|$(sed_escape "$base/lib")|g" \
    -e "s|@LIBEXECDIR@|$(sed_escape "$base/libexec/hakmem")|g" \
    -e "s|@VERSION@|$version|g" -e "s|@MAJOR@|$major|g" "$2" >"$out"
  put "$1" "$out" "$3"
}

for name in libhakmem libhakmem-hardened; do
  key=lib
  [[ "$name" == libhakmem-hardened ]] && key=hardened-lib
  put 0755 "${src[$key]}" "lib/$name.so.$version"
  link "$name.so.$version" "lib/$name.so.$major"
  link "$name.so.$major" "lib/$name.so"
done
put 0644 "${src[archive]}" lib/libhakmem.a
put 0644 "${src[header]}" include/hakmem/hakmem.h
put_template 0644 "${src[pc]}" lib/pkgconfig/hakmem.pc
put_template 0755 "${src[wrapper]}" bin/hakmem
put 0755 "${src[info]}" libexec/hakmem/hakmem-info
put_template 0644 "${src[man]}" share/man/man1/hakmem.1
refresh_loader_cache
echo "install: installed hakmem $version in $prefix${root:+ (under DESTDIR=$root)}"
