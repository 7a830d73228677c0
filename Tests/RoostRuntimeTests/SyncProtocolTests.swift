import CRoostShim
import Glibc
import RoostLinux
import Testing

@testable import RoostRuntime

/// The parent's side of the sync protocol (ChildDriver) against a real socketpair, the child's
/// side played by the test; a real process stands for the clone, so reaping is the kernel's answer.
@Suite("the sync protocol and its parent-side driver")
struct SyncProtocolTests {
    @Test(
        "every message survives its encoding",
        arguments: [
            SyncMessage.needMaps, .mapsWritten, .pid(4242), .runtimeHooks, .hooksDone, .console, .created, .seccompListener,
            .cgroupJoined, .failed("mount /proc: übel: Operation not permitted"),
        ])
    func roundTrip(_ message: SyncMessage) {
        #expect(SyncMessage(message.bytes) == message)
    }

    @Test("an empty packet, an unknown tag and a pid that is no number are not messages")
    func notMessages() {
        #expect(SyncMessage([]) == nil)
        #expect(SyncMessage(Array("Z".utf8)) == nil)
        #expect(SyncMessage(Array("P12x".utf8)) == nil)
    }

    /// A child that exits at once, to stand for the clone. It shares this process's fd table
    /// (CLONE_FILES): a forked or spawned copy would hold, for as long as it lives, every file the
    /// other tests of this process have open for writing, and their exec of such a file would
    /// fail with ETXTBSY.
    func childThatExits() -> pid_t {
        let cloneFiles: UInt64 = 0x400  // CLONE_FILES (sched.h's macro is not in Swift's Glibc)
        let pid = roost_clone3(cloneFiles, -1)
        if pid == 0 { _exit(0) }
        #expect(pid > 0)
        return pid
    }

    @Test("the driver takes the forked child's pid (reaping the clone) and the pty, and returns what its caller answers")
    func pidAndConsole() throws {
        let (parent, child) = try SyncSocket.pair()
        defer { parent.close() }
        let clone = childThatExits()
        var driver = ChildDriver(socket: parent, cloned: clone, stage: "container init")
        var pty: [Int32] = [-1, -1]
        try #require(pipe(&pty) == 0)
        defer { close(pty[0]) }
        try child.send(SyncMessage.pid(999_999).bytes)
        try child.send(SyncMessage.console.bytes, fd: pty[1])
        close(pty[1])
        try child.send(SyncMessage.needMaps.bytes)
        #expect(try driver.next { _, _ in Issue.record("no listener was sent") } == .needMaps)
        #expect(driver.cloned == clone)
        #expect(driver.pid == 999_999)
        // The clone is reaped: it is no child of this process any more.
        #expect(waitpid(clone, nil, WNOHANG) == -1 && errno == ECHILD)
        let console = driver.takeConsole()
        #expect(console >= 0)
        #expect(driver.console == -1)
        close(console)
        // Every copy of the pipe's write end is closed now: the read end sees end-of-file.
        var byte: UInt8 = 0
        #expect(read(pty[0], &byte, 1) == 0)

        try child.send(SyncMessage.runtimeHooks.bytes)
        #expect(try driver.next { _, _ in } == .runtimeHooks)
        try child.send(SyncMessage.created.bytes)
        #expect(try driver.next { _, _ in } == .created)
        child.close()
        #expect(try driver.next { _, _ in } == .closed)
    }

    @Test("a seccomp listener goes to the caller with the filtered process's pid and is closed afterwards")
    func seccompListener() throws {
        let (parent, child) = try SyncSocket.pair()
        defer { parent.close(); child.close() }
        var driver = ChildDriver(socket: parent, cloned: 4242, stage: "exec")
        var listener: [Int32] = [-1, -1]
        try #require(pipe(&listener) == 0)
        defer { close(listener[0]) }
        // After a fork into the container's pid namespace the filtered process is that child.
        try child.send(SyncMessage.pid(777).bytes)
        try child.send(SyncMessage.seccompListener.bytes, fd: listener[1])
        close(listener[1])
        try child.send(SyncMessage.created.bytes)
        var seen: [Int32] = []
        let event = try driver.next { fd, pid in seen = [fd, pid] }
        #expect(event == .created)
        #expect(seen.count == 2 && seen[0] >= 0 && seen[1] == 777)
        var byte: UInt8 = 0
        #expect(read(listener[0], &byte, 1) == 0)
    }

    @Test(
        "a failure from the child and a word only the parent may say are errors naming the child",
        arguments: [
            (SyncMessage.failed("mount /proc: Operation not permitted"), "container init: mount /proc: Operation not permitted"),
            (SyncMessage.mapsWritten, "sync: unexpected message from container init"),
            (SyncMessage.hooksDone, "sync: unexpected message from container init"),
            (SyncMessage.cgroupJoined, "sync: unexpected message from container init"),
        ])
    func errors(_ message: SyncMessage, _ expected: String) throws {
        let (parent, child) = try SyncSocket.pair()
        defer { parent.close(); child.close() }
        var driver = ChildDriver(socket: parent, cloned: 4242, stage: "container init")
        try child.send(message.bytes)
        do {
            _ = try driver.next { _, _ in }
            Issue.record("no error for \(message)")
        } catch {
            #expect("\(error)" == expected)
        }
    }
}
