import RoostLinux

/// A failure inside the container's init, with the step it happened in. Sent home as one line.
struct InitFailure: Error {
    let step: String
    let detail: String
    var line: String { "\(step): \(detail)" }
}

/// Runs one named init step, turning any error into an InitFailure that names the step.
@inline(__always)
func step<T: ~Copyable>(_ name: @autoclosure () -> String, _ body: () throws -> T) throws(InitFailure) -> T {
    do { return try body() } catch let e as InitFailure { throw e } catch {
        throw InitFailure(step: name(), detail: "\(error)")
    }
}
