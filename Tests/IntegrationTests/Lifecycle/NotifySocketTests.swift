import Foundation
import RoostTestSupport
import Testing

/// The caller's side of sd_notify, as systemd: a bound datagram socket that records messages and
/// answers BARRIER=1 by closing the descriptor that came with it.
final class NotifyListener: @unchecked Sendable {
    let path: String
    let fd: Int32
    let messages = LockedBox<[String]>([])

    init(path: String) throws {
        self.path = path
        fd = try boundUnixSocket(path, type: Int32(SOCK_DGRAM.rawValue))
        let t = Thread { [self] in self.serve() }
        t.start()
    }

    private func serve() {
        while let (data, fd) = receiveWithRights(fd) {
            let text = String(decoding: data, as: UTF8.self)
            if text.hasPrefix("BARRIER=1"), let fd { close(fd) }
            var m = messages.value
            m.append(text)
            messages.value = m
        }
    }
}

@Suite("NOTIFY_SOCKET", needsContainers)
struct NotifySocketTests {
    @Test("run -d relays the container's READY=1 with MAINPID and a barrier, then returns")
    func relay() throws {
        try withBundle { b in
            let listener = try NotifyListener(path: b.path + "/host-notify.sock")
            b.shell("echo $NOTIFY_SOCKET > /dev/shm/env; sdnotify STATUS=warming; sleep 0.2; sdnotify READY=1; sleep 30")
            try b.writeConfig()
            var env = ProcessInfo.processInfo.environment
            env["NOTIFY_SOCKET"] = listener.path
            let r = runProgram(TestEnvironment.binary, ["--root", TestEnvironment.stateRoot, "run", "-d", "--bundle", b.path, b.id], environment: env)
            #expect(r.status == 0, "\(r)")
            let pid = stateOf(b)?["pid"] as? Int ?? -1
            #expect(listener.messages.value == ["READY=1\n", "MAINPID=\(pid)\n", "BARRIER=1"], "\(listener.messages.value)")
            let inside = b.roost(["exec", b.id, "sh", "-c", "cat /dev/shm/env; grep ' /run/notify ' /proc/self/mountinfo"])
            #expect(inside.stdout.hasPrefix("/run/notify/notify.sock\n"), "\(inside)")
            #expect(mountOptions(mountLine(inside.stdout, "/run/notify")).perMount.isSuperset(of: ["ro", "nosuid", "nodev", "noexec"]))
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("create leaves the socket to start, which returns once READY is relayed")
    func createStart() throws {
        try withBundle { b in
            let listener = try NotifyListener(path: b.path + "/host-notify.sock")
            b.shell("sdnotify READY=1; sleep 30")
            try b.writeConfig()
            var env = ProcessInfo.processInfo.environment
            env["NOTIFY_SOCKET"] = listener.path
            let c = runProgram(TestEnvironment.binary, ["--root", TestEnvironment.stateRoot, "create", "--bundle", b.path, b.id], environment: env)
            #expect(c.status == 0, "\(c)")
            let s = runProgram(TestEnvironment.binary, ["--root", TestEnvironment.stateRoot, "start", b.id], environment: env)
            #expect(s.status == 0, "\(s)")
            #expect(listener.messages.value.first == "READY=1\n", "\(listener.messages.value)")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }
}
