#!/usr/bin/env bash
# A step of `make test`: the scripts whose standard output a caller captures write their value
# there and nothing else, even on a machine where the packages they install are missing (issue 13:
# deps.sh's "installing" line became part of the SELinux policy's path on a fresh machine only).
# Every machine that has run the tests once has the packages, so the check makes them look
# missing: a dpkg-query that finds nothing installed, and an apt-get that says something on
# standard output, as apt does, before it does the real work (an `update` is left out; an
# `install` of a package that is there is quick). Exit 1 with one line per script that fails.
set -uo pipefail
exec 3>&1 >&2
tree=$(cd "$(dirname "$0")/.." && pwd -P)
stubs=$(mktemp -d /tmp/roost-check-stdout.XXXXXX)
trap 'rm -rf "$stubs"' EXIT
printf '#!/bin/sh\nexit 1\n' >"$stubs/dpkg-query"
printf '#!/bin/sh\necho "apt-get $*: chatter on standard output"\n[ "$1" = update ] && exit 0\nPATH=%s exec /usr/bin/apt-get "$@"\n' "$PATH" >"$stubs/apt-get"
chmod +x "$stubs/dpkg-query" "$stubs/apt-get"
failed=0
fail() { echo "check-stdout: FAILED — $*"; failed=1; }

# deps.sh: nothing at all on standard output, and it did take the install path.
out=$(PATH=$stubs:$PATH "$tree/scripts/deps.sh" 2>"$stubs/err")
rc=$?
[[ $rc == 0 ]] || fail "scripts/deps.sh exited with $rc: $(cat "$stubs/err")"
grep -q '^deps: installing ' "$stubs/err" || fail "scripts/deps.sh did not take its install path (stderr: $(cat "$stubs/err"))"
[[ -z $out ]] || fail "scripts/deps.sh wrote to standard output: $out"

# selinux-policy.sh (captured by selinux.sh): its one line is the path of the policy it built.
if [[ $(uname -m) == x86_64 && $(id -u) == 0 ]]; then
  out=$(PATH=$stubs:$PATH "$tree/Tools/test-vm/selinux-policy.sh" 2>"$stubs/err")
  rc=$?
  if [[ $rc == 3 ]]; then
    echo "check-stdout: selinux-policy.sh skipped — its packages are not to be had: $(tail -1 "$stubs/err")"
  elif [[ $rc != 0 ]]; then
    fail "Tools/test-vm/selinux-policy.sh exited with $rc: $(tail -5 "$stubs/err")"
  elif [[ $out == *$'\n'* || ! -f $out ]]; then
    fail "Tools/test-vm/selinux-policy.sh printed more than the policy's path: $out"
  fi
else
  echo "check-stdout: selinux-policy.sh skipped — it runs as root on x86_64 only (as the SELinux boot)"
fi
[[ $failed == 0 ]] && echo "check-stdout: deps.sh and selinux-policy.sh write only their values to standard output"
exit "$failed"
