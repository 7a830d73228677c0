import Glibc
import Testing
@testable import RoostDBus

/// A real dbus-daemon (Debian's `dbus` package: `make test`'s deps install it) on a private
/// socket: proves the wire format and SASL against the reference implementation, no systemd needed.
struct LiveBusTests {
    static let daemon = "/usr/bin/dbus-daemon"

    /// Starts `dbus-daemon --session` listening on a fresh socket, runs `body`, then kills it.
    func withBus(_ body: (String) throws -> Void) throws {
        let dir = "/tmp/roost-dbus-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        mkdir(dir, 0o700)
        defer { rmdir(dir) }
        let socket = dir + "/bus"
        var pid: pid_t = 0
        let argv = [Self.daemon, "--session", "--nofork", "--nopidfile", "--address=unix:path=\(socket)"]
        var cargs = argv.map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) } }
        let r = posix_spawn(&pid, Self.daemon, nil, nil, &cargs, environ)
        try #require(r == 0, "posix_spawn dbus-daemon: \(r)")
        defer {
            kill(pid, SIGKILL)  // SIGTERM may be blocked: the spawned daemon inherits our signal mask
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            unlink(socket)
        }
        // The daemon makes its socket once it is listening.
        for _ in 0..<200 where access(socket, F_OK) != 0 { usleep(10_000) }
        try #require(access(socket, F_OK) == 0, "dbus-daemon never made \(socket)")
        try body(socket)
    }

    @Test(.enabled(if: access(daemon, X_OK) == 0, "dbus-daemon is not installed (Debian's dbus package)"))
    func helloListNamesGetId() throws {
        try withBus { socket in
            let c = try DBusConnection(path: socket)
            let name = try #require(c.uniqueName)
            #expect(name.hasPrefix(":1."))
            let names = try c.call(.methodCall(destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus",
                                               interface: "org.freedesktop.DBus", member: "ListNames"))
            guard case .array("s", let items) = names.body.first else { Issue.record("ListNames: \(names.body)"); return }
            #expect(items.contains(.string("org.freedesktop.DBus")))
            #expect(items.contains(.string(name)))
            let id = try c.call(.methodCall(destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus",
                                            interface: "org.freedesktop.DBus", member: "GetId"))
            #expect(id.body.first?.stringValue?.utf8.count == 32)
        }
    }

    /// An error reply throws its D-Bus name; AddMatch with an a(sv)-free string argument works;
    /// and a signal we asked for (NameOwnerChanged when a second client connects) is delivered.
    @Test(.enabled(if: access(daemon, X_OK) == 0, "dbus-daemon is not installed (Debian's dbus package)"))
    func errorsAndSignals() throws {
        try withBus { socket in
            let c = try DBusConnection(path: socket)
            do {
                try c.call(.methodCall(destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus",
                                       interface: "org.freedesktop.DBus", member: "NoSuchMethod"))
                Issue.record("NoSuchMethod returned")
            } catch {
                #expect((error as? DBusError)?.name == "org.freedesktop.DBus.Error.UnknownMethod")
            }
            try c.call(.methodCall(destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus",
                                   interface: "org.freedesktop.DBus", member: "AddMatch",
                                   body: [.string("type='signal',interface='org.freedesktop.DBus',member='NameOwnerChanged'")]))
            let other = try DBusConnection(path: socket)
            let otherName = try #require(other.uniqueName)
            c.timeout = 5_000
            let s = try c.waitForSignal { $0.member == "NameOwnerChanged" && $0.body.first?.stringValue == otherName }
            #expect(s.body.count == 3)
        }
    }

    @Test func refusedConnectionIsAnError() {
        #expect(throws: DBusError.self) { try DBusConnection(path: "/nonexistent/roost-bus") }
    }
}
