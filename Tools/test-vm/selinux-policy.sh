#!/usr/bin/env bash
# Builds Debian's default SELinux policy (the refpolicy of bookworm's selinux-policy-default) into
# a binary policy file for the SELinux boot of the test VM, without SELinux on this host: the
# package ships only policy modules (*.pp.bz2), and its postinst links them with semodule into
# /etc/selinux/default/policy/policy.NN. Here the package is unpacked with dpkg-deb (not
# installed) and semodule (policycoreutils, installed from Debian's archive) links the same
# modules in a private root under DIR, so nothing in the host's /etc or /var changes. Reuses
# the policy while the package's version and this script are unchanged. Prints the policy's path:
# that one line is all it writes to standard output (its caller captures it); everything else,
# its own messages and those of the commands it runs, goes to standard error.
# Usage: selinux-policy.sh [DIR]   (default .build/selinux)
# Exit status 3: the packages are not to be had (the caller skips); 1: anything else.
set -euo pipefail
exec 3>&1 >&2  # fd 3: the captured value; fd 1 from here on: standard error
tree=$(cd "$(dirname "$0")/../.." && pwd -P)
out=$(mkdir -p "${1:-$tree/.build/selinux}" && cd "${1:-$tree/.build/selinux}" && pwd)
say() { echo "test-vm-selinux: $*" >&2; }
pkg=selinux-policy-default

"$tree/scripts/deps.sh" policycoreutils || { say "cannot install policycoreutils (semodule) from Debian's archive"; exit 3; }
candidate() { apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}'; }
ver=$(candidate $pkg)
if [[ -z $ver || $ver == "(none)" ]]; then apt-get update -qq || true; ver=$(candidate $pkg); fi
[[ -n $ver && $ver != "(none)" ]] || { say "Debian's archive has no $pkg"; exit 3; }
stamp="$pkg $ver $(sha256sum <"$tree/Tools/test-vm/selinux-policy.sh" | cut -c1-16)"
policy() { find "$out/root/etc/selinux/default/policy" -name 'policy.[0-9]*' 2>/dev/null | sort | tail -1; }
if [[ -f $out/stamp && $(cat "$out/stamp") == "$stamp" && -n $(policy) ]]; then policy >&3; exit 0; fi
rm -rf "$out/deb" "$out/pkg" "$out/root" "$out/stamp"
mkdir -p "$out/deb"
say "building the policy from $pkg $ver (about half a minute)"
(cd "$out/deb" && apt-get download -q -o APT::Sandbox::User=root "$pkg=$ver" >/dev/null) ||
  { say "cannot download $pkg $ver"; exit 3; }
dpkg-deb -x "$out"/deb/*.deb "$out/pkg"
# The private root: the package's /etc/selinux/default (contexts the link checks against) and an
# empty module store; semodule -p puts the store and the linked policy under it.
mkdir -p "$out/root/etc/selinux" "$out/root/var/lib/selinux"
cp -a "$out/pkg/etc/selinux/default" "$out/root/etc/selinux/"
modules=$out/pkg/usr/share/selinux/default
args=()
while read -r m; do args+=(-i "$modules/$m.pp.bz2"); done <"$modules/.modules"
# As the postinst: priority 100, no reload (-n).
semodule -p "$out/root" -s default -n -X 100 "${args[@]}" 2> >(grep -v 'not in password file' >&2) ||
  { say "semodule could not link $pkg's modules"; exit 1; }
rm -rf "$out/deb" "$out/pkg"
[[ -n $(policy) ]] || { say "semodule made no policy file"; exit 1; }
echo "$stamp" >"$out/stamp"
policy >&3
