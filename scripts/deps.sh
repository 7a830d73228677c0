#!/usr/bin/env bash
# Installs what roost's build, demo and tests need from Debian's packages, when missing;
# extra package names given as arguments are installed too (make bench: crun runc time).
# Writes nothing to standard output, ever: scripts call it inside $(...) captures, and what apt
# prints (or this script's own messages) would become part of the value they capture. All of it
# goes to standard error (scripts/check-scripts.sh holds it to that).
set -euo pipefail
exec >&2
need=()
for pkg in busybox-static libseccomp-dev iproute2 util-linux bsdutils procps gcc libc6-dev "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if ((${#need[@]})); then
  if [[ $(id -u) != 0 ]]; then echo "deps: need root to install: ${need[*]}" >&2; exit 1; fi
  echo "deps: installing ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
