import Glibc
import RoostLinux

/// A container's status, derived from the kernel each time it is asked, never stored: the init
/// process (same pid and start time) alive and waiting for `start` (its exec.sock exists) is `created`, alive past
/// it is `running`, gone or a zombie is `stopped`.
public enum Status: String, Sendable {
    case creating, created, running, paused, stopped

    /// The operations each status allows (runc's rules).
    var canStart: Bool { self == .created }
    var canSignal: Bool { self == .created || self == .running || self == .paused }
    var canDeleteWithoutForce: Bool { self == .stopped || self == .created }

    static func derive(_ state: ContainerState, _ directory: StateDirectory) -> Status {
        guard state.pid > 0, isAlive(pid: state.pid, startTime: state.pidStartTime) else { return .stopped }
        if FileIO.exists(directory.startSocket) { return .created }
        return state.cgroups?.freezerState() == "FROZEN" ? .paused : .running
    }

    /// The process exists, is not a zombie, and started when the container's init did.
    static func isAlive(pid: Int32, startTime: UInt64) -> Bool {
        guard let stat = try? FileIO.read("/proc/\(pid)/stat"), let close = stat.lastIndex(of: UInt8(ascii: ")")),
            close + 2 < stat.count
        else { return false }
        let state = stat[close + 2]
        if state == UInt8(ascii: "Z") || state == UInt8(ascii: "X") { return false }
        // One read of /proc/PID/stat answers both questions (list does this per container).
        return startTime == 0 || Processes.startTime(stat: stat) == startTime
    }
}
