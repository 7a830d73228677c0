#!/usr/bin/env bash
# The SELinux boot: the test VM (run.sh) booted with security=selinux, Debian's default policy
# (selinux-policy.sh) loaded in permissive mode before the tests (selinux-load.sh), running only
# the tests FILTER selects. A second, short boot: the cgroup v2 lane boots with AppArmor, and a
# kernel has one of the two.
# Usage: selinux.sh [FILTER]   (default: VM_SELINUX_TESTS, else SELinuxTests)
# Environment: as run.sh's; TEST_VM_SKIP_OK=1 turns a missing prerequisite into one SKIPPED line.
set -uo pipefail
exec >&2  # progress, the VM's console and the summary: nothing here is a value to capture
tree=$(cd "$(dirname "$0")/../.." && pwd -P)
filter=${1:-${VM_SELINUX_TESTS:-SELinuxTests}}
skip() {
  if [[ ${TEST_VM_SKIP_OK:-} == 1 ]]; then echo "test-vm-selinux: SKIPPED — $* (the SELinux boot did not run)"; exit 0; fi
  echo "test-vm-selinux: cannot run — $*" >&2; exit 1
}
[[ $(uname -m) == x86_64 ]] || skip "the VM boots an amd64 kernel and needs an x86_64 host, this is $(uname -m)"
[[ $(id -u) == 0 ]] || skip "needs root (installs packages and runs containers in the VM)"
# keyctl: the keyring test reads the label of the container's session keyring with it.
"$tree/scripts/deps.sh" keyutils || skip "could not install keyutils from Debian's archive"
policy=$("$tree/Tools/test-vm/selinux-policy.sh")
case $? in
  0) ;;
  3) skip "Debian's selinux-policy-default or policycoreutils is not to be had (see above)" ;;
  *) echo "test-vm-selinux: FAILED — could not build the SELinux policy (see above)" >&2; exit 1 ;;
esac
# What it printed must be the path of the policy and nothing else.
[[ $policy != *$'\n'* && -f $policy ]] || { echo "test-vm-selinux: FAILED — selinux-policy.sh printed something other than the policy's path: $policy" >&2; exit 1; }
echo "test-vm-selinux: the SELinux boot, policy $policy, filter '$filter'"
VM_APPEND="security=selinux${VM_APPEND:+ $VM_APPEND}" VM_BEFORE="sh $tree/Tools/test-vm/selinux-load.sh $policy" \
  exec "$tree/Tools/test-vm/run.sh" "$filter"
