#!/usr/bin/env bash
# The cgroup v2 lane: boots Debian bookworm's own kernel under qemu with cgroup2 as the only
# hierarchy (cgroup_no_v1=all) and runs the integration tests whose IDs match FILTER there, in one
# boot, against the built static roost binary. The VM's root is a tmpfs; the host's /usr, /etc and
# Swift runtime come in read-only over virtio-9p, the source tree read-write at its own path.
# KVM only where kvm_intel or kvm_amd is loaded, TCG otherwise. Exits with the tests' status.
#
# Usage: run.sh [FILTER]   (FILTER: a swift-testing --filter regex over test IDs, which hold the
#                          module, type and function names and the file name; default: VM_TESTS)
# Environment: VM_TESTS, VM_TIMEOUT (seconds, 900), VM_MEMORY (MiB, 2048), VM_CPUS (2),
#   VM_BEFORE (a shell command the VM runs before the tests, to look around), ROOST_BINARY,
#   VM_APPEND (more kernel command line, e.g. security=selinux: selinux.sh),
#   ROOST_ROOTFS, TEST_VM_SKIP_OK=1 (a missing prerequisite — not root, qemu or the kernel
#   package not to be had — prints one SKIPPED line and exits 0 instead of failing).
set -uo pipefail
exec >&2  # progress, the VM's console and the summary: nothing here is a value to capture
tree=$(cd "$(dirname "$0")/../.." && pwd -P)
filter=${1:-${VM_TESTS:-IntegrationTests}}
timeout_s=${VM_TIMEOUT:-900}
vm=$tree/.build/vm
run=$vm/run
binary=${ROOST_BINARY:-$tree/.build/release/roost}
rootfs=${ROOST_ROOTFS:-$tree/.build/fixtures/rootfs}
tests=$tree/.build/debug/roostPackageTests.xctest
# VM_SYSTEMD=1: the systemd lane (make test-vm-systemd). The same kernel and initramfs boot the
# debootstrapped Debian root of systemd-image.sh with systemd as PID 1, run dir .build/vm-systemd.
systemd=${VM_SYSTEMD:-}
lane="cgroup v2"
if [[ -n $systemd ]]; then run=$tree/.build/vm-systemd/run lane=systemd; fi
log=$(dirname "$run")/console.log

skip() {
  if [[ ${TEST_VM_SKIP_OK:-} == 1 ]]; then echo "test-vm: SKIPPED — $* (the $lane lane did not run)"; exit 0; fi
  echo "test-vm: cannot run — $*" >&2; exit 1
}
die() { echo "test-vm: FAILED — $*" >&2; exit 1; }

[[ $(uname -m) == x86_64 ]] || skip "the lane boots an amd64 kernel and needs an x86_64 host, this is $(uname -m)"
[[ $(id -u) == 0 ]] || skip "needs root (installs qemu and runs containers in the VM)"
"$tree/scripts/deps.sh" qemu-system-x86 cpio kmod xz-utils busybox-static apparmor || skip "could not install qemu-system-x86, cpio, kmod, xz-utils, apparmor from Debian's archive"
command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64 after installing qemu-system-x86"
for f in "$binary" "$tests"; do [[ -x $f ]] || die "no $f: build it first (make build; swift build --build-tests)"; done
[[ -x $rootfs/bin/busybox ]] || die "no busybox rootfs at $rootfs: make rootfs"
# The VM sees the tree at its physical path only.
binary=$(realpath "$binary") rootfs=$(realpath "$rootfs") tests=$(realpath "$tests")
for p in "$binary" "$rootfs" "$tests"; do
  [[ $p == "$tree"/* ]] || die "$p is outside the source tree $tree, which is all the VM sees of it"
done
[[ $tree != *[[:space:]:\'\"\\]* ]] || die "the source tree's path has a character the VM's config cannot carry: $tree"

"$tree/Tools/test-vm/image.sh" "$vm"
case $? in
  0) ;;
  3) skip "Debian's kernel package linux-image-amd64 is not to be had (see above)" ;;
  *) die "could not build the VM image (see above)" ;;
esac

if [[ -n $systemd ]]; then
  "$tree/Tools/test-vm/systemd-image.sh" "$tree/.build/vm-systemd/root"
  case $? in
    0) ;;
    3) skip "Debian's archive cannot be reached or debootstrap cannot be installed, so there is no systemd root to boot (see above)" ;;
    *) die "could not build the systemd root (see above)" ;;
  esac
fi

# What the VM mounts: tag:path:mode for each share, name=target for the host's top-level links.
links=() shares=() qargs=()
n=0
share() {
  n=$((n + 1)); shares+=("s$n:$1:$2")
  qargs+=(-virtfs "local,path=$1,mount_tag=s$n,security_model=none,multidevs=remap$([[ $2 == ro ]] && echo ,readonly=on)")
}
if [[ -n $systemd ]]; then
  # The root is Debian's own (bookworm, as this host): only the Swift runtime and the tree come in.
  qargs+=(-virtfs "local,path=$tree/.build/vm-systemd/root,mount_tag=sdroot,security_model=none,multidevs=remap")
else
  share /usr ro
  share /etc ro
  for d in bin sbin lib lib32 lib64 libx32; do
    if [[ -L /$d ]]; then links+=("$d=$(readlink "/$d")")
    elif [[ -d /$d ]]; then share "/$d" ro; fi
  done
fi
# The Swift runtime the test binary loads, from its RUNPATH (/opt/swift/usr/lib/swift/linux here).
for p in $(readelf -d "$tests" | sed -n 's/.*R\(UN\)\{0,1\}PATH.*\[\(.*\)\]/\2/p' | tr ':' ' '); do
  [[ $p == /* && -d $p && $p != /usr/* ]] && share "$p" ro
done
share "$tree" rw

rm -rf "$run" && mkdir -p "$run"
q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
{
  echo "VM_LINKS=$(q "${links[*]}")"
  echo "VM_SHARES=$(q "${shares[*]}")"
  echo "VM_TREE=$(q "$tree")"
  echo "VM_KERNEL_TREE=$(q "$vm/kernel")"
  echo "VM_TEST_BINARY=$(q "$tests")"
  echo "VM_ROOST_BINARY=$(q "$binary")"
  echo "VM_ROOST_ROOTFS=$(q "$rootfs")"
  echo "VM_FILTER=$(q "$filter")"
  echo "VM_BEFORE=$(q "${VM_BEFORE:-}")"
  echo "VM_NOFILE=$(ulimit -n)"
  echo "VM_SYSTEMD_ROOT=$([[ -n $systemd ]] && echo sdroot)"
} >"$run/config"

if grep -qE '^kvm_(intel|amd) ' /proc/modules 2>/dev/null && [[ -w /dev/kvm ]]; then
  accel=(-accel kvm -cpu host) how=KVM
else
  accel=(-accel tcg -cpu max) how="TCG (software emulation: kvm_intel/kvm_amd is not loaded)"
fi
echo "test-vm: booting $(cat "$vm/stamp" | cut -d' ' -f1-2)$([[ -n $systemd ]] && echo " with systemd as PID 1") under $how, filter '$filter', timeout ${timeout_s}s"
start=$SECONDS
timeout -k 10 "$timeout_s" qemu-system-x86_64 -nodefaults -no-user-config -machine pc "${accel[@]}" \
  -smp "${VM_CPUS:-2}" -m "${VM_MEMORY:-2048}" -display none -monitor none -serial stdio -no-reboot \
  -kernel "$vm/vmlinux" -initrd "$vm/initramfs.cpio" \
  -append "console=ttyS0 cgroup_no_v1=all panic=-1 quiet random.trust_cpu=on${VM_APPEND:+ $VM_APPEND}" \
  -object rng-random,filename=/dev/urandom,id=rng0 -device virtio-rng-pci,rng=rng0 \
  -virtfs "local,path=$run,mount_tag=vmrun,security_model=none" "${qargs[@]}" </dev/null 2>&1 |
  tee "$log"
qrc=${PIPESTATUS[0]}
took=$((SECONDS - start))

if [[ $qrc == 124 || $qrc == 137 ]]; then die "the VM did not finish within ${timeout_s}s and was stopped (console: $log)"; fi
if [[ ! -f $run/status ]]; then
  die "the VM stopped (qemu status $qrc) before the tests finished$( [[ -f $run/failure ]] && echo ": $(cat "$run/failure")") (console: $log)"
fi
status=$(cat "$run/status")
[[ -f $run/results.xml ]] || die "the test binary exited with status $status and wrote no results"
# Per test: a <testcase> with a <failure> failed (xunit's failures= counts issues, not tests),
# one with <skipped> was skipped, any other passed.
summary=$(awk '
  function done() { if (open) { n[st]++; if (st == "failed") names = names "\n" name }; open = 0 }
  /<testcase / { done(); open = 1; st = "passed"; name = $0; sub(/.*classname="/, "", name); sub(/" name="/, "/", name); sub(/".*/, "", name)
                 if ($0 ~ /\/>[[:space:]]*$/) done(); next }
  /<failure/ { st = "failed" }
  /<skipped/ { if (st != "failed") st = "skipped" }
  /<\/testcase>/ { done() }
  END { done(); printf "%d %d %d%s", n["passed"], n["failed"], n["skipped"], names }' "$run/results.xml")
read -r passed failed skipped <<<"$(head -1 <<<"$summary")"
echo "test-vm: in ${took}s under $how; $(grep -o 'booted in [0-9.]*s' "$log" | tail -1), $(grep -o 'tests took [0-9.]*s' "$log" | tail -1)"
tail -n +2 <<<"$summary" | sed 's/^/test-vm: failed: /'
grep -o '<skipped>[^<]*' "$run/results.xml" | sort | uniq -c | sed 's/<skipped>/skipped: /; s/^ */test-vm: /'
echo "test-vm: $passed passed, $failed failed, $skipped skipped"
ran=$((passed + failed))
[[ ${ran:-0} -gt 0 ]] || die "filter '$filter' ran no test in the VM"
[[ $status == 0 ]] || die "the tests in the VM exited with status $status"
