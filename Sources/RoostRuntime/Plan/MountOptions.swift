import RoostLinux

/// runc's mount option vocabulary, one table: what each `mounts[].options` word does. Words not
/// here go to the filesystem as data (e.g. `mode=755`, `size=65536k`), as runc does.
enum MountOption {
    case set(MountFlags)
    case clear(MountFlags)
    case propagation(MountFlags)
    /// Recursive attributes applied with mount_setattr(AT_RECURSIVE): what to set and to clear.
    case recursive(set: MountAttributes, clear: MountAttributes)
    /// Flags roost understands but has no kernel effect of its own (tmpcopyup, idmap...).
    case extension_(String)

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

        "rro": .recursive(set: .readOnly, clear: []), "rrw": .recursive(set: [], clear: .readOnly),
        "rnosuid": .recursive(set: .noSuid, clear: []), "rsuid": .recursive(set: [], clear: .noSuid),
        "rnodev": .recursive(set: .noDev, clear: []), "rdev": .recursive(set: [], clear: .noDev),
        "rnoexec": .recursive(set: .noExec, clear: []), "rexec": .recursive(set: [], clear: .noExec),
        "rnodiratime": .recursive(set: .noDiratime, clear: []), "rdiratime": .recursive(set: [], clear: .noDiratime),
        "rrelatime": .recursive(set: [], clear: .atimeModes), "rnorelatime": .recursive(set: [], clear: []),
        "rnoatime": .recursive(set: .noAtime, clear: .atimeModes), "ratime": .recursive(set: [], clear: .noAtime),
        "rstrictatime": .recursive(set: .strictAtime, clear: .atimeModes), "rnostrictatime": .recursive(set: [], clear: .strictAtime),
        "rnosymfollow": .recursive(set: .noSymfollow, clear: []), "rsymfollow": .recursive(set: [], clear: .noSymfollow),

        "tmpcopyup": .extension_("tmpcopyup"), "idmap": .extension_("idmap"), "ridmap": .extension_("ridmap"),
    ]
}
