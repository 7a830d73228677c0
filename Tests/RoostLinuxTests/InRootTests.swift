import Foundation
import Glibc
import RoostLinux
import Testing

/// InRoot against the kernel, on a real directory tree.
@Suite("InRoot: paths resolved inside a root")
struct InRootTests {
    @Test("a `..` that races renames elsewhere on the system is retried, not an error (openat2's EAGAIN)")
    func eagainIsRetried() throws {
        let top = FileManager.default.temporaryDirectory.path + "/roost-inroot-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: top + "/root/a/b", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: top) }
        let root = try InRoot(path: top + "/root")
        // Every rename anywhere bumps the kernel's rename sequence; openat2 with RESOLVE_IN_ROOT
        // then refuses a `..` it walked at that moment with EAGAIN.
        let stop = Atomic(false)
        let done = DispatchSemaphore(value: 0)
        let renamer = Thread {
            defer { done.signal() }
            let a = top + "/x", b = top + "/y"
            close(open(a, O_CREAT | O_WRONLY, 0o600))
            while !stop.load() {
                rename(a, b)
                rename(b, a)
            }
        }
        renamer.start()
        defer {
            stop.store(true)
            done.wait()
        }
        var failures: [Int32] = []
        for _ in 0..<20_000 {
            do throws(SyscallError) { _ = try root.open("/a/b/../../a/b/../b/../../a") } catch { failures.append(error.errno) }
        }
        #expect(failures.isEmpty, "errnos: \(Set(failures))")
    }
}

/// A flag one thread sets and another reads.
final class Atomic: @unchecked Sendable {
    private var value: Bool
    private let lock = NSLock()
    init(_ value: Bool) { self.value = value }
    func load() -> Bool { lock.lock(); defer { lock.unlock() }; return value }
    func store(_ v: Bool) { lock.lock(); value = v; lock.unlock() }
}
