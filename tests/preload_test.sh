#!/bin/bash
# LD_PRELOADs libhakmem.so into real Debian programs and checks that their
# output is byte-for-byte what they print without it: python3 running a
# threaded workload, gcc compiling and linking a program, git building a repo
# and printing its log, sort on 200,000 lines. Also: LD_DEBUG=bindings shows
# malloc & co. bound to libhakmem.so, HAKMEM_SHOW_STATS=1 shows hakmem really
# served each program, and a preload library whose constructor allocates
# (tests/preload_shim.c), in front of libhakmem.so or behind it, changes
# nothing.
#
# usage: preload_test.sh LIBHAKMEM_SO PRELOAD_SHIM_SO
#        preload_test.sh --skip-sanitizer   (sanitizer configs)
set -euo pipefail

if [[ "${1:-}" == "--skip-sanitizer" ]]; then
  echo "preload_test: skipped: under a sanitizer config libhakmem.so would be built" \
    "with -fsanitize and cannot be preloaded into uninstrumented programs"
  exit 0
fi
if [[ $# -ne 2 ]]; then
  echo "usage: $0 LIBHAKMEM_SO PRELOAD_SHIM_SO | --skip-sanitizer" >&2
  exit 2
fi
LIB=$(realpath "$1")
SHIM=$(realpath "$2")
[[ -f "$LIB" && -f "$SHIM" ]] || {
  echo "missing $LIB or $SHIM" >&2
  exit 2
}

WORK=$(mktemp -d "${TEST_TMPDIR:-/tmp}/preload.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export LC_ALL=C TZ=UTC
unset HAKMEM_SHOW_STATS HAKMEM_VERBOSE LD_PRELOAD
PY=/usr/bin/python3
TIMEOUT=180
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# run NAME PRELOAD CMD...: runs CMD in $WORK/NAME/ with LD_PRELOAD=PRELOAD (none
# if empty), HAKMEM_SHOW_STATS=1 when preloading; stdout to NAME.out, stderr to
# NAME.err. A non-zero exit fails the test.
run() {
  local name=$1 preload=$2
  shift 2
  mkdir -p "$WORK/$name"
  local rc=0
  if [[ -n "$preload" ]]; then
    (cd "$WORK/$name" && LD_PRELOAD="$preload" HAKMEM_SHOW_STATS=1 timeout $TIMEOUT "$@") \
      >"$WORK/$name.out" 2>"$WORK/$name.err" || rc=$?
  else
    (cd "$WORK/$name" && timeout $TIMEOUT "$@") >"$WORK/$name.out" 2>"$WORK/$name.err" || rc=$?
  fi
  if [[ $rc -ne 0 ]]; then
    fail "$name: exit status $rc; stderr:"
    head -c 4000 "$WORK/$name.err" >&2
    return 1
  fi
}

# same PLAIN HAK: stdout identical; stderr identical once hakmem's own report
# lines are dropped; and the preloaded run printed a hakmem report (so hakmem
# was loaded and served the program).
same() {
  local plain=$1 hak=$2 before=$failures
  if ! cmp -s "$WORK/$plain.out" "$WORK/$hak.out"; then
    fail "$hak: stdout differs from the run without LD_PRELOAD:"
    diff "$WORK/$plain.out" "$WORK/$hak.out" | head -20 >&2 || true
  fi
  if grep -q "cannot be preloaded" "$WORK/$hak.err"; then
    fail "$hak: the dynamic loader did not preload the library:"
    grep "cannot be preloaded" "$WORK/$hak.err" >&2
  fi
  if ! grep -q "^hakmem: in use" "$WORK/$hak.err"; then
    fail "$hak: no hakmem report with HAKMEM_SHOW_STATS=1 (was hakmem loaded?)"
  fi
  grep -v "^hakmem: " "$WORK/$hak.err" >"$WORK/$hak.err.rest" || true
  if ! cmp -s "$WORK/$plain.err" "$WORK/$hak.err.rest"; then
    fail "$hak: stderr differs from the run without LD_PRELOAD:"
    diff "$WORK/$plain.err" "$WORK/$hak.err.rest" | head -20 >&2 || true
  fi
  if [[ $failures -eq $before ]]; then
    echo "ok: $hak ($(wc -c <"$WORK/$hak.out") bytes of identical output)"
  fi
}

# The peak bytes in use from a hakmem report ("hakmem: in use N bytes (peak M)").
peak_of() {
  sed -n 's/^hakmem: in use [0-9]* bytes (peak \([0-9]*\)).*/\1/p' "$WORK/$1.err" | sort -n | tail -1
}

# --- the library exports the whole malloc family, operator new/delete and hak_*, nothing else ---
family=(malloc free cfree calloc realloc reallocarray posix_memalign aligned_alloc memalign
  valloc pvalloc malloc_usable_size free_sized free_aligned_sized malloc_trim malloc_stats
  malloc_info mallinfo mallinfo2 mallopt __libc_malloc __libc_free __libc_calloc __libc_realloc
  __libc_memalign __libc_valloc __libc_pvalloc __posix_memalign)
# C++ operator new, new[], delete, delete[] in all their forms (override/new_delete.c).
family+=(_Znwm _Znam _ZnwmRKSt9nothrow_t _ZnamRKSt9nothrow_t _ZnwmSt11align_val_t
  _ZnamSt11align_val_t _ZnwmSt11align_val_tRKSt9nothrow_t _ZnamSt11align_val_tRKSt9nothrow_t
  _ZdlPv _ZdaPv _ZdlPvm _ZdaPvm _ZdlPvRKSt9nothrow_t _ZdaPvRKSt9nothrow_t _ZdlPvSt11align_val_t
  _ZdaPvSt11align_val_t _ZdlPvmSt11align_val_t _ZdaPvmSt11align_val_t
  _ZdlPvSt11align_val_tRKSt9nothrow_t _ZdaPvSt11align_val_tRKSt9nothrow_t)
nm -D --defined-only "$LIB" | awk '$2 ~ /^[A-Z]$/ { print $3 }' | sed 's/@.*//' | sort -u \
  >"$WORK/exports.txt"
before=$failures
for sym in "${family[@]}"; do
  grep -qx "$sym" "$WORK/exports.txt" || fail "libhakmem.so does not export $sym"
done
while read -r sym; do
  if [[ " ${family[*]} " != *" $sym "* && "$sym" != hak_* ]]; then
    fail "libhakmem.so exports $sym, not of the malloc family"
  fi
done <"$WORK/exports.txt"
if [[ $failures -eq $before ]]; then
  echo "ok: exports: $(wc -l <"$WORK/exports.txt") symbols, the malloc family and hak_*"
fi

# --- python3: 4 threads building, serialising and hashing dicts ---
cat >"$WORK/work.py" <<'EOF'
import hashlib, json, random, threading

def work(i, out):
    rnd = random.Random(1000 + i)
    h = hashlib.sha256()
    keep = []
    for r in range(120):
        d = {}
        for _ in range(300):
            d["k%d" % rnd.randrange(1000000)] = [
                rnd.random(), "x" * rnd.randrange(300), {"r": r, "t": (i, r)}]
        s = json.dumps(d, sort_keys=True)
        h.update(s.encode())
        h.update(repr(sorted(d)[:50]).encode())
        keep.append(s)
        if len(keep) > 20:
            keep.pop(rnd.randrange(len(keep)))
        big = bytearray()
        for _ in range(40):
            big += bytes(rnd.randrange(256) for _ in range(500))
        h.update(hashlib.sha256(big + b"y" * (1 << 20)).digest())
    out[i] = h.hexdigest()

out = [None] * 4
threads = [threading.Thread(target=work, args=(i, out)) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for i, x in enumerate(out):
    print(i, x)
print("all", hashlib.sha256("".join(out).encode()).hexdigest())
EOF
run py.plain "" $PY -I "$WORK/work.py"
run py.hak "$LIB" $PY -I "$WORK/work.py" && same py.plain py.hak
peak=$(peak_of py.hak)
if [[ -z "$peak" || "$peak" -lt 1000000 ]]; then
  fail "python3 under hakmem: peak bytes in use '${peak}' (expected the workload's MBs)"
fi

# --- gcc: compile and link a program; the object, the executable and its output ---
mkdir -p "$WORK/src"
cat >"$WORK/src/prog.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node { struct node *l, *r; int key; };

static struct node *insert(struct node *t, int key) {
  if (!t) {
    t = calloc(1, sizeof *t);
    t->key = key;
  } else if (key < t->key) {
    t->l = insert(t->l, key);
  } else {
    t->r = insert(t->r, key);
  }
  return t;
}

static unsigned long walk(const struct node *t, unsigned long h) {
  if (!t) return h;
  h = walk(t->l, h);
  h = h * 1000003u ^ (unsigned long)t->key;
  return walk(t->r, h);
}

int main(void) {
  struct node *t = NULL;
  unsigned s = 1;
  for (int i = 0; i < 100000; i++) {
    s = s * 1103515245u + 12345u;
    t = insert(t, (int)(s >> 8));
  }
  char *buf = NULL;
  size_t len = 0;
  for (int i = 0; i < 1000; i++) {
    buf = realloc(buf, len + 32);
    len += (size_t)sprintf(buf + len, "%d,", i * i);
  }
  printf("tree %lu text %zu %.20s\n", walk(t, 0), strlen(buf), buf);
  return 0;
}
EOF
compile() {
  gcc -O2 -Wall -c "$WORK/src/prog.c" -o prog.o && gcc prog.o -o prog &&
    sha256sum prog.o prog && ./prog
}
export -f compile
export WORK
run gcc.plain "" bash -c compile
run gcc.hak "$LIB" bash -c compile && same gcc.plain gcc.hak

# --- git: a repository built from scratch, its log and objects ---
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null HOME="$WORK/home"
export GIT_AUTHOR_NAME="Hak Mem" GIT_AUTHOR_EMAIL="hak@example.com"
export GIT_COMMITTER_NAME="Hak Mem" GIT_COMMITTER_EMAIL="hak@example.com"
export GIT_AUTHOR_DATE="2024-01-02T03:04:05Z" GIT_COMMITTER_DATE="2024-01-02T03:04:05Z"
mkdir -p "$HOME"
gitwork() {
  set -e
  git init -q -b main repo
  cd repo
  for i in $(seq 1 40); do
    seq "$i" 3 4000 >"file$i.txt"
  done
  git add . && git commit -q -m "first: 40 files"
  for i in $(seq 1 40 | awk 'NR % 3 == 0'); do
    seq 1 "$i" >>"file$i.txt"
  done
  git rm -q file1.txt file2.txt
  mkdir sub && seq 1 100000 >sub/big.txt
  git add -A && git commit -q -m "second: edits, removals, a big file"
  git log --stat --format='%H %an <%ae> %ad %s' --date=iso-strict
  git gc -q --aggressive
  git fsck --strict --no-progress
  git count-objects -v | grep -v size
  git diff --stat HEAD~1 HEAD | tail -1
  git archive --format=tar HEAD | sha256sum
}
export -f gitwork
run git.plain "" bash -c gitwork
run git.hak "$LIB" bash -c gitwork && same git.plain git.hak

# --- sort: 200,000 generated lines, three ways ---
awk 'BEGIN { s = 42; for (i = 0; i < 200000; i++) {
  s = (s * 1103515245 + 12345) % 2147483648;
  printf "%08x %d line-%d %s\n", s, s % 100000, i, substr("abcdefghijklmnopqrstuvwxyz", s % 26 + 1) } }' \
  >"$WORK/lines.txt"
sortwork() {
  set -e
  sort "$WORK/lines.txt" | sha256sum
  sort -k2,2n -k1,1 "$WORK/lines.txt" | sha256sum
  sort -u -t' ' -k4 --parallel=2 -S 1M -T . "$WORK/lines.txt" | sha256sum
  sort -R --random-source="$WORK/lines.txt" "$WORK/lines.txt" | head -3
}
export -f sortwork
run sort.plain "" bash -c sortwork
run sort.hak "$LIB" bash -c sortwork && same sort.plain sort.hak

# --- LD_DEBUG=bindings: libc and the program bind malloc & co. to libhakmem.so ---
LD_DEBUG=bindings LD_BIND_NOW=1 LD_PRELOAD="$LIB" /usr/bin/sort /dev/null 2>"$WORK/bindings.txt" ||
  fail "sort /dev/null with LD_DEBUG=bindings"
libname=$(basename "$LIB")
before=$failures
for sym in malloc free calloc realloc; do
  if ! grep -q "to $LIB \[0\]: normal symbol \`$sym'" "$WORK/bindings.txt"; then
    fail "LD_DEBUG=bindings: nothing binds $sym to $libname"
  fi
  if grep -q "to [^ ]*libc\.so\.6 \[0\]: normal symbol \`$sym'" "$WORK/bindings.txt"; then
    fail "LD_DEBUG=bindings: $sym bound to libc.so.6:"
    grep "to [^ ]*libc\.so\.6 \[0\]: normal symbol \`$sym'" "$WORK/bindings.txt" | head -3 >&2
  fi
done
if [[ $failures -eq $before ]]; then
  echo "ok: LD_DEBUG=bindings:" \
    "$(grep -c "to $LIB \[0\]: normal symbol" "$WORK/bindings.txt") bindings to $libname, e.g."
  grep -m1 "to $LIB \[0\]: normal symbol \`malloc'" "$WORK/bindings.txt" || true
fi

# --- another preload in front (and behind): its constructor allocates at once ---
run py.shim "$SHIM $LIB" $PY -I "$WORK/work.py" && same py.plain py.shim
run py.shim2 "$LIB $SHIM" $PY -I "$WORK/work.py" && same py.plain py.shim2
run git.shim "$SHIM $LIB" bash -c gitwork && same git.plain git.shim
(LD_PRELOAD="$SHIM $LIB" HK_SHIM_REPORT=1 /usr/bin/env true) 2>"$WORK/shim.txt" ||
  fail "env true with the shim in front"
if ! grep -q "^preload_shim: malloc is from $LIB; the next one from $LIB$" "$WORK/shim.txt"; then
  fail "the shim in front did not find hakmem's malloc:"
  cat "$WORK/shim.txt" >&2
fi
(LD_PRELOAD="$LIB $SHIM" HK_SHIM_REPORT=1 /usr/bin/env true) 2>"$WORK/shim2.txt" ||
  fail "env true with the shim behind"
if ! grep -q "^preload_shim: malloc is from $LIB; " "$WORK/shim2.txt"; then
  fail "the shim behind did not find hakmem's malloc:"
  cat "$WORK/shim2.txt" >&2
fi
echo "shim: $(cat "$WORK/shim.txt")"

if [[ $failures -ne 0 ]]; then
  echo "preload_test: $failures failure(s)" >&2
  exit 1
fi
echo "preload_test: passed"
