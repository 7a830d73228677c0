import Glibc
import RoostLinux

/// A failure inside the container's init, with the step it happened in. Sent home as one line.
struct InitFailure: Error {
    let step: String
    let detail: String
    var line: String { "\(step): \(detail)" }
}

/// Runs one named init step, turning any error into an InitFailure that names the step.
@inline(__always) @discardableResult
func step<T: ~Copyable>(_ name: @autoclosure () -> String, _ body: () throws -> T) throws(InitFailure) -> T {
    do { return try body() } catch let e as InitFailure { throw e } catch {
        throw InitFailure(step: name(), detail: "\(error)")
    }
}

/// A process never changes its own pid (or time) namespace: its child does. Forks that child with
/// CLONE_PARENT, so it is roost's child (roost waits for it; its parent-death signal follows roost,
/// as runc's nsexec), and returns in it only; this intermediate reports the child's pid and exits.
/// The child waits until then: both write to one sync socket, and roost must know the pid before it
/// reads anything the child sends (a seccomp listener for the agent, hooks' state, `created`).
func forkIntoPidNamespace(_ what: String, sync: SyncSocket) throws(InitFailure) {
    var gate: [Int32] = [-1, -1]
    _ = try step(what) { try sys("pipe") { pipe(&gate) } }
    let child = try step(what) { try Namespaces.cloneSibling() }
    if child != 0 {
        try? sync.send(.pid(child))
        _exit(0)  // closes the gate's write end: the child goes on
    }
    close(gate[1])
    var byte: UInt8 = 0
    while read(gate[0], &byte, 1) < 0 && errno == EINTR {}
    close(gate[0])
    Processes.setParentDeathSignal(SIGKILL)
}
