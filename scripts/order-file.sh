#!/usr/bin/env bash
# Writes scripts/roost.order: the functions roost runs on its hot path (create, start, run, exec,
# state, kill, delete, list), for the linker to lay out side by side (lld's
# --symbol-ordering-file, used by `make build`). A command touches a few hundred functions spread
# over a 7.9 MB text; each first touch maps a 64 KiB window of the binary (the kernel's
# fault-around), so grouping them is what keeps a run's resident memory small.
#
# Recorded with valgrind's callgrind, which counts every function a process runs. valgrind has
# no clone3, so under it create/run/exec stop at the clone: their parent side up to there is
# recorded here, the rest comes from start/state/kill/delete/list run against a container made
# without valgrind. A function missing from the list still works; it is only placed elsewhere.
# Usage: scripts/order-file.sh [BINARY]   (as root; `make order-file` rebuilds afterwards)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-$repo/.build/release/roost}
rootfs=$repo/.build/fixtures/rootfs
[[ -x $bin && -x $rootfs/bin/busybox ]] || { echo "order-file: build first (make build rootfs)" >&2; exit 1; }
"$repo/scripts/deps.sh" valgrind

work=$(mktemp -d /tmp/roost-order.XXXXXX)
root=$work/state
trap '"$bin" --root "$root" delete --force of-c >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
mkdir -p "$work/bundle" "$work/cg"
# valgrind 3.19 cannot read the DWARF 5 that lld writes; the symbol table is all it needs.
objcopy --strip-debug "$bin" "$work/roost"
grind_bin=$work/roost
cp -a "$rootfs" "$work/bundle/rootfs"
(cd "$work/bundle" && "$bin" spec)
sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"sleep", "30"/' "$work/bundle/config.json"

n=0
grind() {  # grind ARGS...: one command under callgrind; its own exit status does not matter
    n=$((n + 1))
    (cd "$work/bundle" && valgrind -q --tool=callgrind --demangle=no --callgrind-out-file="$work/cg/$(printf %02d $n)" \
        "$grind_bin" --root "$root" "$@" >/dev/null 2>&1 </dev/null) || true
}
grind run of-r
grind create of-x
"$bin" --root "$root" delete --force of-x >/dev/null 2>&1 || true
(cd "$work/bundle" && "$bin" --root "$root" create of-c)
grind state of-c
grind list
grind start of-c
grind exec of-c true
grind list -f json
grind kill of-c KILL
sleep 0.2
grind delete of-c
grind state of-c

# Function names in the order callgrind first lists them, without its "'N" recursion marks.
out=$repo/scripts/roost.order
cat "$work"/cg/* | sed -n 's/^c\{0,1\}fn=([0-9]*) \(.*\)$/\1/p' | sed "s/'[0-9]*$//" | { grep -v '^0x' || true; } | awk '!seen[$0]++' >"$work/order"
[[ $(wc -l <"$work/order") -gt 100 ]] || { echo "order-file: callgrind recorded almost nothing; $out left as it was" >&2; exit 1; }
# Most of the standard library sits in one input section (Swift.o's plain .text, ~1.6 MB) that the
# linker moves whole: naming any function in it drags all of it to the front. Leave those out.
core=$(dirname "$(dirname "$(realpath "$(command -v swiftc)")")")/lib/swift_static/linux/libswiftCore.a
if [[ -f $core ]] && ar p "$core" Swift.o >"$work/Swift.o" 2>/dev/null; then
  text=$(readelf -SW "$work/Swift.o" | sed -n 's/^ *\[ *\([0-9]*\)\] \.text .*/\1/p')
  readelf -sW "$work/Swift.o" | awk -v i="$text" '$7 == i && $4 == "FUNC" {print $8}' >"$work/unsplittable"
  grep -vxFf "$work/unsplittable" "$work/order" >"$work/order.split" || true
  echo "order-file: $(($(wc -l <"$work/order") - $(wc -l <"$work/order.split"))) names left out (in the standard library's unsplittable .text)"
  mv "$work/order.split" "$work/order"
fi
mv "$work/order" "$out"
echo "order-file: $(wc -l <"$out") functions in $out"
