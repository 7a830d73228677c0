import CRoostShim

/// Facts about the host the runtime adapts to.
public enum Host {
    /// /sys/fs/cgroup is the cgroup2 unified hierarchy (no v1 controllers).
    public static var isCgroup2Only: Bool { FileSystemType.of("/sys/fs/cgroup") == .cgroup2 }
}
