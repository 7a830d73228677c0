import RoostLinux

/// runc's mount option vocabulary, one table: what each `mounts[].options` word does. Words not
/// here go to the filesystem as data (e.g. `mode=755`, `size=65536k`), as runc does.
enum MountOption {
    case set(MountFlags)
    case clear(MountFlags)
    case propagation(MountFlags)
    /// Recursive attributes applied with mount_setattr(AT_RECURSIVE): (set, clear) MOUNT_ATTR_*.
    case recursive(set: UInt64, clear: UInt64)
    /// Flags roost understands but has no kernel effect of its own (tmpcopyup, idmap...).
    case extension_(String)

    static let atime: UInt64 = 0x70  // MOUNT_ATTR__ATIME

    static let table: [String: MountOption] = [
        "async": .clear(.synchronous), "atime": .clear(.noatime), "bind": .set(.bind), "defaults": .set([]),
        "dev": .clear(.nodev), "diratime": .clear(.nodiratime), "dirsync": .set(.dirsync), "exec": .clear(.noexec),
        "iversion": .set(.iversion), "lazytime": .set(.lazytime), "loud": .clear(.silent), "mand": .set(.mandlock),
        "noatime": .set(.noatime), "nodev": .set(.nodev), "nodiratime": .set(.nodiratime), "noexec": .set(.noexec),
        "noiversion": .clear(.iversion), "nolazytime": .clear(.lazytime), "nomand": .clear(.mandlock),
        "norelatime": .clear(.relatime), "nostrictatime": .clear(.strictatime), "nosuid": .set(.nosuid),
        "nosymfollow": .set(.nosymfollow), "rbind": .set([.bind, .rec]), "relatime": .set(.relatime),
        "remount": .set(.remount), "ro": .set(.rdonly), "rw": .clear(.rdonly), "silent": .set(.silent),
        "strictatime": .set(.strictatime), "suid": .clear(.nosuid), "sync": .set(.synchronous),
        "symfollow": .clear(.nosymfollow),

        "private": .propagation(.private), "rprivate": .propagation([.private, .rec]),
        "shared": .propagation(.shared), "rshared": .propagation([.shared, .rec]),
        "slave": .propagation(.slave), "rslave": .propagation([.slave, .rec]),
        "unbindable": .propagation(.unbindable), "runbindable": .propagation([.unbindable, .rec]),

        "rro": .recursive(set: 0x1, clear: 0), "rrw": .recursive(set: 0, clear: 0x1),
        "rnosuid": .recursive(set: 0x2, clear: 0), "rsuid": .recursive(set: 0, clear: 0x2),
        "rnodev": .recursive(set: 0x4, clear: 0), "rdev": .recursive(set: 0, clear: 0x4),
        "rnoexec": .recursive(set: 0x8, clear: 0), "rexec": .recursive(set: 0, clear: 0x8),
        "rnodiratime": .recursive(set: 0x80, clear: 0), "rdiratime": .recursive(set: 0, clear: 0x80),
        "rrelatime": .recursive(set: 0, clear: atime), "rnorelatime": .recursive(set: 0, clear: 0),
        "rnoatime": .recursive(set: 0x10, clear: atime), "ratime": .recursive(set: 0, clear: 0x10),
        "rstrictatime": .recursive(set: 0x20, clear: atime), "rnostrictatime": .recursive(set: 0, clear: 0x20),
        "rnosymfollow": .recursive(set: 0x200000, clear: 0), "rsymfollow": .recursive(set: 0, clear: 0x200000),

        "tmpcopyup": .extension_("tmpcopyup"), "idmap": .extension_("idmap"), "ridmap": .extension_("ridmap"),
    ]
}
