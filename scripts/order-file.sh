#!/usr/bin/env bash
# Writes scripts/roost.order: the functions roost runs on its hot path (run, create, start, delete,
# kill, state, exec, list), for the linker to lay out side by side (lld's --symbol-ordering-file,
# used by `make build`). A command touches a thousand-odd functions of a 6.6 MB text, and its
# resident memory is every page of the binary it touches, rounded up to what the kernel maps per
# fault (a 64 KiB fault-around window, or a whole large folio of the page cache): grouping them is
# what keeps it small.
#
# Recorded natively with scripts/functrace.c (an int3 on every function, ptrace), which follows the
# container's init and exec's children up to their execve: those processes count as much as the
# command itself, since peak RSS is the largest of them. Layout, most important first: `run`'s
# functions, arranged so that its init's and its own sets are each contiguous (init-only, both,
# parent-only), then what the other verbs add. A function missing from the list still works; it is
# only placed elsewhere.
# Usage: scripts/order-file.sh [BINARY]   (as root; `make order-file` rebuilds afterwards)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-$repo/.build/release/roost}
rootfs=$repo/.build/fixtures/rootfs
[[ -x $bin && -x $rootfs/bin/busybox ]] || { echo "order-file: build first (make build rootfs)" >&2; exit 1; }

work=$(mktemp -d /tmp/roost-order.XXXXXX)
root=$work/state
trap '"$bin" --root "$root" delete --force of-c >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
mkdir -p "$work/bundle" "$work/trace"
cc -O2 -o "$work/functrace" "$repo/scripts/functrace.c"
cp -a "$rootfs" "$work/bundle/rootfs"
(cd "$work/bundle" && "$bin" spec)
sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"true"/' "$work/bundle/config.json"
sed 's/"true"$/"sleep", "30"/' "$work/bundle/config.json" >"$work/sleep.json"

# Every function of the binary: address, size, name (all names of an address, for the mapping).
nm -n -S --defined-only "$bin" | awk '$3 ~ /^[tTwW]$/ && $2 != "0000000000000000" {print $1, $4}' >"$work/symbols"
cut -d' ' -f1 "$work/symbols" | sort -u >"$work/addresses"

trace() {  # trace NAME ARGS...: one command under functrace; its own exit status does not matter
    local name=$1; shift
    (cd "$work/bundle" && "$work/functrace" "$work/addresses" "$work/trace/$name" "$bin" --root "$root" "$@" \
        >/dev/null 2>&1 </dev/null) || true
}
trace run run of-r
cp "$work/sleep.json" "$work/bundle/config.json"
trace create create of-c
trace start start of-c
trace state state of-c
trace exec exec of-c true
trace list list
trace kill kill of-c KILL
sleep 0.2
trace delete delete of-c
[[ -s $work/trace/run ]] || { echo "order-file: functrace recorded nothing; scripts/roost.order left as it was" >&2; exit 1; }

# Addresses in layout order: run's init only, run's both, run's parent only, then each other trace
# (any process) in the order above; first hits first, each address once.
{
  awk 'NR == FNR { if ($1 == 0) parent[$2] = 1; next } $1 > 0 && !($2 in parent) {print $2}' "$work/trace/run" "$work/trace/run"
  awk 'NR == FNR { if ($1 > 0) child[$2] = 1; next } $1 == 0 && ($2 in child) {print $2}' "$work/trace/run" "$work/trace/run"
  awk '$1 == 0 {print $2}' "$work/trace/run"
  for c in create start delete kill state exec list; do awk '{print $2}' "$work/trace/$c"; done
} | awk '!seen[$0]++' >"$work/order.addresses"
# To names (functrace prints addresses without leading zeros; nm pads them).
awk 'NR == FNR { a = $1; sub(/^0+/, "", a); names[a] = names[a] $2 "\n"; next } ($1 in names) { printf "%s", names[$1] }' \
    "$work/symbols" "$work/order.addresses" | awk '!seen[$0]++' >"$work/order"
[[ $(wc -l <"$work/order") -gt 100 ]] || { echo "order-file: almost nothing recorded; scripts/roost.order left as it was" >&2; exit 1; }

# The Swift libraries roost links statically were compiled without function sections: most of the
# standard library sits in one input section (Swift.o's plain .text, ~1.6 MB), _RegexParser's in
# another (~480 KB), and the linker moves such a section whole, so naming any function in it drags
# all of it to the front. Leave out every name defined in a plain .text over 64 KiB of those
# archives (local copies of small helpers such as lazy witness-table accessors included). roost's
# own modules are built with -function-sections (the Makefile), so theirs move one by one.
lib=$(dirname "$(dirname "$(realpath "$(command -v swiftc)")")")/lib/swift_static/linux
for a in "$lib"/libswift*.a; do readelf -SsW "$a" 2>/dev/null; done | awk '
  /^File: / { text = ""; next }
  /^ *\[ *[0-9]+\] \.text / { l = $0; sub(/^ *\[ */, "", l); split(l, f, /[] ]+/); size = f[6]; sub(/^0+/, "", size)
                            if (length(size) >= 5) text = f[1]; next }   # hex digits: >= 0x10000 bytes
  text != "" && $4 == "FUNC" && $7 == text { print $8 }' >"$work/unsplittable"
if [[ -s $work/unsplittable ]]; then
  grep -vxFf "$work/unsplittable" "$work/order" >"$work/order.split" || true
  echo "order-file: $(($(wc -l <"$work/order") - $(wc -l <"$work/order.split"))) names left out (in the Swift libraries' unsplittable .text)" >&2
  mv "$work/order.split" "$work/order"
fi
out=$repo/scripts/roost.order
mv "$work/order" "$out"
echo "order-file: $(wc -l <"$out") functions in $out" >&2
