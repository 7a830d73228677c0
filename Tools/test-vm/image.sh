#!/usr/bin/env bash
# Builds the test VM's kernel and initramfs from Debian's packages only, into DIR (default
# .build/vm): the kernel of bookworm's linux-image-amd64, unpacked with dpkg-deb (nothing is
# installed on the host), its vmlinux taken out of the xz-compressed vmlinuz (an uncompressed
# kernel boots in seconds under TCG, where decompressing it takes much longer), depmod run on its
# modules (the package ships no modules.dep), and an uncompressed initramfs of busybox-static,
# the virtio-9p modules and Tools/test-vm/init. Reuses what it built while the kernel package's
# version and these scripts are unchanged. Prints the directory's files it made.
# Usage: image.sh [DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${1:-.build/vm}" && cd "${1:-.build/vm}" && pwd)
say() { echo "test-vm: $*" >&2; }

# The kernel package linux-image-amd64 points at (a fresh machine may have no apt lists yet).
kernel_package() { apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}'; }
pkg=$(kernel_package)
if [[ -z $pkg ]]; then apt-get update -qq; pkg=$(kernel_package); fi
# Exit status 3: the kernel package is not to be had (run.sh skips the lane); 1: anything else.
[[ -n $pkg ]] || { say "cannot find linux-image-amd64 in Debian's archive (apt-cache depends linux-image-amd64)"; exit 3; }
candidate() { apt-cache policy "$1" | awk '/Candidate:/ {print $2}'; }
ver=$(candidate "$pkg")
scripts=$(cat "$here/image.sh" "$here/init" /bin/busybox | sha256sum | cut -c1-16)
stamp="$pkg $ver $scripts"
if [[ -f $out/stamp && $(cat "$out/stamp") == "$stamp" && -f $out/vmlinux && -f $out/initramfs.cpio ]]; then
  exit 0
fi
rm -f "$out/stamp"

say "building the VM image from $pkg $ver"
deb=$out/deb
rm -rf "$deb" "$out/kernel" && mkdir -p "$deb"
download() { (cd "$deb" && apt-get download -q -o APT::Sandbox::User=root "$pkg=$ver" >/dev/null); }
if ! download; then
  # Stale lists name a version the archive no longer has.
  say "cannot download $pkg $ver; updating apt's lists and trying again"
  apt-get update -qq
  pkg=$(kernel_package) && ver=$(candidate "$pkg") && stamp="$pkg $ver $scripts" && download ||
    { say "cannot download the kernel package ${pkg:-linux-image-amd64} ${ver:-}"; exit 3; }
fi
dpkg-deb -x "$deb"/*.deb "$out/kernel"
rm -rf "$deb"
kver=$(ls "$out/kernel/lib/modules")
[[ $(wc -w <<<"$kver") == 1 ]] || { say "expected one module tree in $pkg, found: $kver"; exit 1; }

# vmlinuz is a bzImage whose payload is one xz stream; --single-stream ignores what follows it.
vmlinuz=$out/kernel/boot/vmlinuz-$kver
off=$(LC_ALL=C grep -m1 -obUaP '\xfd7zXZ\x00' "$vmlinuz" | cut -d: -f1)
[[ -n $off ]] || { say "no xz stream in $vmlinuz"; exit 1; }
xz -dc --single-stream < <(tail -c +$((off + 1)) "$vmlinuz") >"$out/vmlinux.tmp"
[[ $(head -c 4 "$out/vmlinux.tmp" | od -An -tx1 | tr -d ' ') == 7f454c46 ]] || { say "vmlinux from $vmlinuz is not an ELF file"; exit 1; }
mv "$out/vmlinux.tmp" "$out/vmlinux"

depmod -b "$out/kernel" "$kver"

# The initramfs: /init, busybox and the modules for virtio-9p in load order. It holds no /bin
# or /lib of its own, as the VM takes those from the host's /usr over 9p.
root=$out/initramfs
rm -rf "$root" && mkdir -p "$root/vm/modules" "$root/dev"
# The kernel opens /dev/console for init from the initramfs; init mounts devtmpfs where it can't.
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true
cp "$here/init" "$root/init"
cp /bin/busybox "$root/vm/busybox"
# virtio_rng: a hardware RNG for the guest's CRNG. Without one, getrandom() (Foundation's UUID,
# Swift's hashing seed) can block every test at once early after boot under TCG.
modprobe -d "$out/kernel" -S "$kver" --show-depends -a 9p 9pnet_virtio virtio_pci virtio_rng |
  awk '$1 == "insmod" && !seen[$2]++ {print $2}' >"$out/modules.list"
while read -r ko; do
  cp "$ko" "$root/vm/modules/"
  basename "$ko" >>"$root/vm/modules/order"
done <"$out/modules.list"
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --owner 0:0 --quiet) >"$out/initramfs.cpio"

echo "$stamp" >"$out/stamp"
say "image ready: $out/vmlinux ($kver), $out/initramfs.cpio ($(du -k "$out/initramfs.cpio" | cut -f1) KiB, modules: $(paste -sd' ' "$root/vm/modules/order"))"
