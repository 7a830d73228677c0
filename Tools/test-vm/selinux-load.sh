# Run by the test VM's init before the tests (VM_BEFORE) in the SELinux boot: mounts selinuxfs,
# loads the binary policy given as $1 and stays permissive (nothing in the VM is labelled for
# the policy, so enforcing would deny everything). The tests then see SELinux as runc's
# go-selinux does: a writable selinuxfs and a process context other than "kernel".
set -e
policy=$1
[ -d /sys/fs/selinux ] || { echo "selinux-load: no /sys/fs/selinux: the kernel did not start SELinux (cmdline: $(cat /proc/cmdline))"; exit 1; }
mount -t selinuxfs -o nosuid,noexec selinuxfs /sys/fs/selinux
# The kernel takes the policy in one write: from a tmpfs copy, in one block.
cp "$policy" /tmp/selinux-policy
dd if=/tmp/selinux-policy of=/sys/fs/selinux/load bs=16M 2>/dev/null
rm /tmp/selinux-policy
echo 0 >/sys/fs/selinux/enforce
echo "selinux-load: loaded $policy; enforce=$(cat /sys/fs/selinux/enforce), policy version $(cat /sys/fs/selinux/policyvers), init's context $(tr -d '\0' </proc/self/attr/current)"
