import Foundation
import RoostTestSupport
import Testing

let hasScript = FileManager.default.isExecutableFile(atPath: "/usr/bin/script")

/// Runs `command` under `script`, i.e. with a real terminal of `rows`x`cols` as roost's stdio.
/// script turns the EOF of its own (empty) stdin into a NUL on the terminal, echoed as `^@` at
/// some moment; that is script's, so it is dropped from the output.
func underTerminal(_ command: String, rows: Int = 33, cols: Int = 77) -> RoostResult {
    let r = runProgram("/usr/bin/script", ["-qec", "stty rows \(rows) cols \(cols); \(command); echo exit=$?", "/dev/null"])
    let clean = r.stdout.replacingOccurrences(of: "^@", with: "").replacingOccurrences(of: "\u{0}", with: "")
    return RoostResult(status: r.status, stdout: clean, stderr: r.stderr)
}

/// Reads from a pty master until `needle` shows up or `seconds` pass.
func readUntil(_ fd: Int32, _ needle: String, seconds: Double = 10) -> String {
    var text = ""
    let end = Date().addingTimeInterval(seconds)
    var buf = [UInt8](repeating: 0, count: 4096)
    while Date() < end && !text.contains(needle) {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 100) > 0 else { continue }
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        text += String(decoding: buf[0..<n], as: UTF8.self)
    }
    return text
}

func writeString(_ fd: Int32, _ s: String) { _ = s.withCString { write(fd, $0, strlen($0)) } }

@Suite("terminals and console sockets", needsContainers)
struct TerminalTests {
    @Test("a foreground run with a terminal: a pty of the container's devpts, the caller's window size, /dev/console",
        .enabled(if: hasScript, "no /usr/bin/script (bsdutils)"))
    func foreground() throws {
        try withBundle { b in
            b.process["terminal"] = true
            b.shell("tty; stty size; stat -c '%t:%T' /dev/console; exit 5")
            try b.writeConfig()
            let r = underTerminal("\(TestEnvironment.binary) --root \(TestEnvironment.stateRoot) run --bundle \(b.path) \(b.id)")
            let text = r.stdout.replacingOccurrences(of: "\r", with: "")
            #expect(text.contains("/dev/pts/0\n33 77\n88:0\n"), "\(text.debugDescription)")
            // runc clears the pty's ONLCR: the process's lines reach stdout as it wrote them.
            #expect(r.stdout.contains("/dev/pts/0\n33 77\n"), "\(r.stdout.debugDescription)")
            #expect(text.contains("exit=5"), "\(text.debugDescription)")
        }
    }

    /// runc's fixStdioPermissions: a process that is not root owns its terminal (its group
    /// stays devpts' tty group), for run and exec alike.
    @Test("the terminal of a process run as uid 1000 is uid 1000's, group tty; for exec -t too",
        .enabled(if: hasScript, "no /usr/bin/script (bsdutils)"))
    func terminalOwner() throws {
        try withBundle { b in
            b.process["terminal"] = true
            b.process["user"] = ["uid": 1000, "gid": 100]
            b.shell("stat -c owner=%u:%g $(tty)")
            try b.writeConfig()
            let r = underTerminal("\(TestEnvironment.binary) --root \(TestEnvironment.stateRoot) run --bundle \(b.path) \(b.id)")
            #expect(r.stdout.contains("owner=1000:5"), "\(r.stdout.debugDescription)")

            b.process["terminal"] = false
            b.setArgs(["sleep", "30"])
            try b.writeConfig()
            #expect(b.roost(["run", "-d", "--bundle", b.path, b.id]).status == 0)
            let exec = underTerminal("\(TestEnvironment.binary) --root \(TestEnvironment.stateRoot) exec -t -u 1000:100 \(b.id) sh -c 'stat -c owner=%u:%g $(tty)'")
            #expect(exec.stdout.contains("owner=1000:5"), "\(exec.stdout.debugDescription)")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("create --console-socket hands the pty master over; a peer drives a shell through it")
    func consoleSocket() throws {
        try withBundle { b in
            b.process["terminal"] = true
            b.process["consoleSize"] = ["height": 25, "width": 90]
            b.setArgs(["sh"])
            try b.writeConfig()
            let receiver = try FDReceiver(path: b.path + "/console.sock")
            let result = LockedBox<(String, Int32)?>(nil)
            let thread = Thread { result.value = receiver.receive() }
            thread.start()
            let create = b.roost(["create", "--console-socket", receiver.path, "--bundle", b.path, b.id])
            #expect(create.status == 0, "\(create)")
            #expect(eventually { result.value != nil })
            let (name, master) = try #require(result.value)
            defer { close(master) }
            #expect(name == "/dev/pts/ptmx")
            #expect(b.roost(["start", b.id]).status == 0)
            writeString(master, "stty size; echo answer=$((6*7))\n")
            let out = readUntil(master, "answer=42")
            #expect(out.contains("25 90") && out.contains("answer=42"), "\(out.debugDescription)")
            writeString(master, "exit 3\n")
            #expect(eventually { stateOf(b)?["status"] as? String == "stopped" })
            #expect(b.roost(["delete", b.id]).status == 0)
        }
    }

    @Test("run -d --console-socket works the same way")
    func detachedRun() throws {
        try withBundle { b in
            b.process["terminal"] = true
            b.setArgs(["sh", "-c", "read line; echo got $line"])
            try b.writeConfig()
            let receiver = try FDReceiver(path: b.path + "/console.sock")
            let result = LockedBox<(String, Int32)?>(nil)
            let thread = Thread { result.value = receiver.receive() }
            thread.start()
            let r = b.roost(["run", "-d", "--console-socket", receiver.path, "--bundle", b.path, b.id])
            #expect(r.status == 0, "\(r)")
            #expect(eventually { result.value != nil })
            let (_, master) = try #require(result.value)
            defer { close(master) }
            writeString(master, "hello\n")
            #expect(readUntil(master, "got hello").contains("got hello"))
            #expect(eventually { stateOf(b)?["status"] as? String == "stopped" })
            #expect(b.roost(["delete", b.id]).status == 0)
        }
    }

    @Test("exec -t gets its own pty of the container and the caller's window size",
        .enabled(if: hasScript, "no /usr/bin/script (bsdutils)"))
    func execTTY() throws {
        try withBundle { b in
            b.setArgs(["sleep", "60"])
            try expectRun(b, ["-d"], status: 0)
            let r = underTerminal("\(TestEnvironment.binary) --root \(TestEnvironment.stateRoot) exec -t \(b.id) sh -c 'tty; stty size; exit 4'", rows: 21, cols: 71)
            let text = r.stdout.replacingOccurrences(of: "\r", with: "")
            #expect(text.contains("/dev/pts/0\n21 71\n"), "\(text.debugDescription)")
            #expect(text.contains("exit=4"))
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("exec -d -t --console-socket hands the master over")
    func execConsoleSocket() throws {
        try withBundle { b in
            b.setArgs(["sleep", "60"])
            try expectRun(b, ["-d"], status: 0)
            let receiver = try FDReceiver(path: b.path + "/exec-console.sock")
            let result = LockedBox<(String, Int32)?>(nil)
            let thread = Thread { result.value = receiver.receive() }
            thread.start()
            let r = b.roost(["exec", "-d", "-t", "--console-socket", receiver.path, b.id, "sh"])
            #expect(r.status == 0, "\(r)")
            #expect(eventually { result.value != nil })
            let (_, master) = try #require(result.value)
            defer { close(master) }
            writeString(master, "echo inside=$(tty)\n")
            #expect(readUntil(master, "inside=/dev/pts/").contains("inside=/dev/pts/"))
            writeString(master, "exit\n")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }
}
