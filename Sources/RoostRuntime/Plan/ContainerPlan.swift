import Glibc
import RoostCgroups
import RoostLinux
import RoostSeccomp
import RoostSpec

/// Everything the container's init does, resolved to kernel values in the parent (ARCHITECTURE.md
/// §2): the cloned child only carries it out, so nearly every config error surfaces before clone.
struct ContainerPlan {
    var id: String
    var bundle: String
    var rootfs: String
    /// roost runs as root (HostProbe.isRoot): only then can a container's processes hold host
    /// capabilities, and cgroups are roost's to make.
    var privileged = true

    /// Namespaces made by clone3 in one step (the fast path: none is joined by path).
    var cloneFlags: UInt64 = 0
    /// Namespaces joined by path, in NamespaceKind.joinOrder, then `unshareFlags` made by unshare.
    var joins: [(kind: NamespaceKind, path: String)] = []
    var unshareFlags: UInt64 = 0
    var createsUserNamespace = false
    var hasMountNamespace = false
    var hasCgroupNamespace = false
    var hasPidNamespace = false
    var createsNetworkNamespace = false
    /// The pid namespace changes by setns/unshare (not by clone): init must be a forked grandchild.
    var forkForPidNamespace = false
    var uidMap = ""
    var gidMap = ""
    var timeOffsets = ""

    var rootPropagation: MountFlags = [.slave, .rec]
    var rootPropagationExplicit = false
    var rootReadonly = false
    var noPivot = false
    var mounts: [PlannedMount] = []
    /// The host's cgroup hierarchies, when a `cgroup` mount needs them.
    var cgroupHierarchies: CgroupHierarchies?
    var devices: [PlannedDevice] = []
    var maskedPaths: [String] = []
    /// The data of the read-only tmpfs over a masked directory (with linux.mountLabel's context).
    var maskTmpfsData = "nr_blocks=1,nr_inodes=1"
    var readonlyPaths: [String] = []
    var sysctls: [(key: String, value: String)] = []
    var hostname: String?
    var domainname: String?
    var newKeyring = true

    var process = ProcessPlan()
    var hooks: Spec.Hooks?
    /// The container's cgroup (v1/hybrid hosts, as root) and what to write into it.
    var cgroups: (any CgroupDriver)?
    var resources: Spec.Resources?
    var configDevices: [Spec.Device] = []
    var annotations: [(key: String, value: String)] = []
    /// Hooks roost runs in the runtime namespace while init waits before pivot_root.
    var hasRuntimeHooks: Bool { !(hooks?.prestart ?? []).isEmpty || !(hooks?.createRuntime ?? []).isEmpty }
    var preserveFDs: Int32 = 0

    /// The container is in a user namespace other than the host's (made or joined): nothing in
    /// it can hold a capability over the host's.
    var hasUserNamespace: Bool { createsUserNamespace || joins.contains { $0.kind == .user } }
    /// The pid namespace is made for this container (not joined, not the host's).
    var ownsPidNamespace: Bool { hasPidNamespace && !joins.contains { $0.kind == .pid } }

    /// A process that may hold CAP_SYS_PTRACE over the host's user namespace could see init
    /// before its execve: roost must then run from its sealed binary (docs/SECURITY.md). Only a
    /// privileged roost's containers can hold host capabilities at all.
    var clonesNeedSealedExe: Bool {
        privileged && !hasUserNamespace && (!ownsPidNamespace || process.mayHoldPtrace)
    }
}

struct PlannedMount {
    enum Kind { case bind, cgroup, filesystem }
    var kind: Kind
    var destination: String
    var source: String
    var type: String
    var flags: MountFlags
    var data: String
    var propagation: [MountFlags]
    var recursiveSet: MountAttributes
    var recursiveClear: MountAttributes
    /// The JSON path of this mount, for messages.
    var where_: String
    /// For binds: whether the source is a directory (decides what the destination is created as).
    var sourceIsDirectory = true
    /// A bind whose flags were set or cleared beyond MS_BIND|MS_REC needs a remount to take them.
    var remount = false
    /// mqueue with linux.mountLabel: the label its root gets after mounting (runc sets the
    /// file's label; the others take it as the `context=` option in `data`).
    var fileLabel: String?
    /// A cgroup mount on a v1 host: the data of the tmpfs under the hierarchies.
    var tmpfsData = "mode=755"
    /// tmpfs and /dev are mounted writable and made read-only at the end (runc's finalizeRootfs),
    /// so nodes and mount points can be made in them first.
    var readonlyLater: Bool { flags.contains(.rdonly) && (type == "tmpfs" || destination == "/dev") && kind == .filesystem }
}

struct PlannedDevice {
    var path: String
    /// File type bits (S_IFCHR...) | permission bits.
    var mode: UInt32
    var major: UInt32
    var minor: UInt32
    var uid: UInt32
    var gid: UInt32
}

struct ProcessPlan {
    var args: [String] = []
    var env: [String] = []
    var cwd = "/"
    var uid: UInt32 = 0
    var gid: UInt32 = 0
    var additionalGids: [UInt32] = []
    var umask: UInt32 = 0o022
    var capabilities: (bounding: Capabilities.Set, effective: Capabilities.Set, inheritable: Capabilities.Set,
        permitted: Capabilities.Set, ambient: Capabilities.Set)?
    var rlimits: [(resource: Int32, soft: UInt64, hard: UInt64)] = []
    var noNewPrivileges = false
    /// roost runs unprivileged, so its user namespace has setgroups denied (the parent writes
    /// "deny" before gid_map); known in the parent, no need to read /proc/self/setgroups.
    var setgroupsDenied = false
    /// The AppArmor profile execve switches to (process.apparmorProfile, exec --apparmor).
    var apparmorProfile: String?
    /// The SELinux context execve switches to, and the container's keyring gets
    /// (process.selinuxLabel, exec --process-label).
    var selinuxLabel: String?
    var oomScoreAdj: Int?
    var terminal = false
    /// process.consoleSize as (rows, cols).
    var consoleSize: (rows: UInt16, cols: UInt16)?
    /// roost itself relays the terminal (a foreground run or exec without a console socket):
    /// the child clears the pty's ONLCR before the master leaves it, as runc's console
    /// relay does, so the process's lines reach roost's stdout as written.
    var relayedTerminal = false
    /// linux.seccomp compiled (the container's, also for exec'd processes); loaded by ProcessSetup.
    var seccomp: SeccompFilter?

    /// CAP_SYS_PTRACE can be had: it is in the bounding set (a root process gets its bounding
    /// set at execve), or no capabilities are set and none are dropped.
    var mayHoldPtrace: Bool { capabilities.map { $0.bounding.contains(Capabilities.sysPtrace) } ?? true }
}
