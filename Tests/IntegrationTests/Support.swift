import Foundation
import RoostTestSupport
import Testing

/// Skips a test, printing why, when containers cannot be made here.
let needsContainers = Testing.ConditionTrait.enabled(
    if: TestEnvironment.skipReason == nil, Comment(rawValue: TestEnvironment.skipReason ?? ""))

/// Runs `body` with a fresh bundle and checks afterwards that nothing of the container is left:
/// no state directory, mount or process.
func withBundle(_ name: String = "t", _ body: (TestBundle) throws -> Void) throws {
    let bundle = try TestBundle(name)
    var thrown: Error?
    do { try body(bundle) } catch { thrown = error }
    let leaks = bundle.close()
    #expect(leaks.isEmpty, "left behind: \(leaks)")
    if let thrown { throw thrown }
}

/// Checks a failure the way the standards ask: non-zero exit, exactly one line on stderr that
/// contains `message`.
func expectOneLineError(_ r: RoostResult, contains message: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(r.status != 0, "expected failure, got \(r)", sourceLocation: sourceLocation)
    #expect(r.stderrLines.count == 1, "expected one stderr line, got \(r.stderrLines)", sourceLocation: sourceLocation)
    #expect(r.stderr.contains(message), "stderr \(r.stderr.debugDescription) lacks \(message.debugDescription)", sourceLocation: sourceLocation)
}

/// Runs the bundle's container in the foreground and checks its exit status.
func expectRun(_ b: TestBundle, _ flags: [String], status: Int32, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let r = try b.run(flags)
    #expect(r.status == status, "\(r)", sourceLocation: sourceLocation)
}
