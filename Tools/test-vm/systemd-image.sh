#!/usr/bin/env bash
# Builds the systemd lane's root filesystem: Debian bookworm (minbase) with systemd as PID 1 and
# dbus, by debootstrap from the mirror this machine's apt uses, into DIR (default
# .build/vm-systemd/root). The VM boots it over virtio-9p (Tools/test-vm/run.sh with VM_SYSTEMD=1); the
# kernel and 9p modules are image.sh's. Reuses the tree while this script is unchanged.
# Usage: systemd-image.sh [DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(mkdir -p "${1:-.build/vm-systemd/root}" && cd "${1:-.build/vm-systemd/root}" && pwd)
say() { echo "test-vm-systemd: $*" >&2; }
stamp=$(cat "$here/systemd-image.sh" "$here/roost-tests.service" | sha256sum | cut -c1-16)
if [[ -f $root.stamp && $(cat "$root.stamp") == "$stamp" && -x $root/lib/systemd/systemd ]]; then exit 0; fi
rm -f "$root.stamp"

# Exit 3: nothing to build it from (debootstrap not to be had, the archive out of reach), which
# run.sh reports as a skip under TEST_VM_SKIP_OK; any other failure is a failure.
"$here/../../scripts/deps.sh" debootstrap wget || { say "cannot install debootstrap from Debian's archive"; exit 3; }
# The mirror apt already uses (deb822 sources or the one-line list), Debian's own otherwise.
mirror=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[[ -n $mirror ]] || mirror=$(awk '$1 == "deb" && $3 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
wget -q -O /dev/null --timeout=30 --tries=2 "$mirror/dists/bookworm/Release" ||
  { say "cannot fetch $mirror/dists/bookworm/Release: the archive is out of reach"; exit 3; }
say "debootstrap bookworm (minbase + systemd, dbus) from $mirror into $root"
rm -rf "$root" && mkdir -p "$root"
t0=$SECONDS
debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,iproute2,procps bookworm "$root" "$mirror" >"$root.log" 2>&1 ||
  { tail -20 "$root.log" >&2; say "debootstrap failed (log: $root.log)"; exit 1; }
# No console login, no network wait: the lane's unit is all that runs.
rm -f "$root"/etc/systemd/system/getty.target.wants/* "$root"/etc/systemd/system/multi-user.target.wants/systemd-networkd* 2>/dev/null || true
echo roost-systemd-vm >"$root/etc/hostname"
install -m 0644 "$here/roost-tests.service" "$root/etc/systemd/system/roost-tests.service"
ln -sf /etc/systemd/system/roost-tests.service "$root/etc/systemd/system/multi-user.target.wants/roost-tests.service"
echo "$stamp" >"$root.stamp"
say "root ready in $((SECONDS - t0))s: $(du -sm "$root" | cut -f1) MiB"
