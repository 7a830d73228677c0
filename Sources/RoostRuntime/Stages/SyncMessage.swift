import RoostLinux

/// What parent and init say to each other over the sync socket, one message per packet.
enum SyncMessage: Equatable {
    /// init → parent: a new user namespace exists; write its uid/gid maps.
    case needMaps
    /// parent → init: the maps are written.
    case mapsWritten
    /// init → parent: the pid of the real init, when it had to be forked into a joined pid namespace.
    case pid(Int32)
    /// init → parent: mounts are done, pivot_root is next: run prestart and createRuntime hooks.
    case runtimeHooks
    /// parent → init: those hooks succeeded.
    case hooksDone
    /// init/exec → parent: the pty master, attached as a descriptor.
    case console
    /// init → parent: everything is set up; init waits on exec.sock for start.
    case created
    /// init/exec → parent: the seccomp listener fd (SCMP_ACT_NOTIFY), attached, for the agent.
    case seccompListener
    /// parent → init: its systemd scope exists with init in it (--systemd-cgroup).
    case cgroupJoined
    /// init → parent: a step failed. One line: the step, the call and its object, the error.
    case failed(String)

    var bytes: [UInt8] {
        switch self {
        case .needMaps: [UInt8(ascii: "U")]
        case .mapsWritten: [UInt8(ascii: "M")]
        case .pid(let p): [UInt8(ascii: "P")] + Array(String(p).utf8)
        case .created: [UInt8(ascii: "C")]
        case .runtimeHooks: [UInt8(ascii: "H")]
        case .console: [UInt8(ascii: "K")]
        case .seccompListener: [UInt8(ascii: "S")]
        case .hooksDone: [UInt8(ascii: "D")]
        case .cgroupJoined: [UInt8(ascii: "G")]
        case .failed(let m): [UInt8(ascii: "E")] + Array(m.utf8)
        }
    }

    init?(_ b: [UInt8]) {
        guard let tag = b.first else { return nil }
        let rest = String(decoding: b.dropFirst(), as: UTF8.self)
        switch tag {
        case UInt8(ascii: "U"): self = .needMaps
        case UInt8(ascii: "M"): self = .mapsWritten
        case UInt8(ascii: "P"): guard let p = Int32(rest) else { return nil }; self = .pid(p)
        case UInt8(ascii: "C"): self = .created
        case UInt8(ascii: "H"): self = .runtimeHooks
        case UInt8(ascii: "K"): self = .console
        case UInt8(ascii: "S"): self = .seccompListener
        case UInt8(ascii: "D"): self = .hooksDone
        case UInt8(ascii: "G"): self = .cgroupJoined
        case UInt8(ascii: "E"): self = .failed(rest)
        default: return nil
        }
    }
}

extension SyncSocket {
    func send(_ m: SyncMessage) throws(SyscallError) { try send(m.bytes) }

    /// The next message and any descriptor that came with it (-1 if none).
    func nextWithFD() throws -> (SyncMessage?, Int32) {
        let got: ([UInt8], Int32)?
        do { got = try receiveWithFD() } catch { throw RuntimeError.syscall(error) }
        guard let (bytes, fd) = got else { return (nil, -1) }
        guard let m = SyncMessage(bytes) else { throw RuntimeError.child(stage: "sync", message: "unexpected message from init") }
        return (m, fd)
    }

    /// The next message; nil when the peer closed (for the parent after start: exec happened).
    func next() throws -> SyncMessage? {
        let bytes: [UInt8]?
        do { bytes = try receive() } catch { throw RuntimeError.syscall(error) }
        guard let bytes else { return nil }
        guard let m = SyncMessage(bytes) else { throw RuntimeError.child(stage: "sync", message: "unexpected message from init") }
        return m
    }
}
