import Foundation
import RoostTestSupport
import Testing

@Suite("attacks from inside the bundle and the container", needsContainers)
struct SecurityTests {
    @Test("a mount destination through a symlink stays inside the rootfs")
    func symlinkDestination() throws {
        try withBundle { b in
            let outside = b.path + "/outside"
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
            // /evil -> the host directory, as an absolute and as a ../ symlink.
            try FileManager.default.createSymbolicLink(atPath: b.rootfs + "/evil", withDestinationPath: outside)
            try FileManager.default.createSymbolicLink(atPath: b.rootfs + "/evil2", withDestinationPath: "../../../../../../../\(outside)")
            b.mounts.append(["destination": "/evil/sub", "type": "tmpfs", "source": "tmpfs", "options": []])
            b.mounts.append(["destination": "/evil2/sub2", "type": "tmpfs", "source": "tmpfs", "options": []])
            b.shell("grep -E ' /tmp/roost-it[^ ]*/outside/sub2? ' /proc/self/mountinfo | wc -l")
            let r = try b.run()
            #expect(r.status == 0, "\(r)")
            // The host directory got nothing: the destinations were made inside the rootfs.
            #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
            #expect(FileManager.default.fileExists(atPath: b.rootfs + b.path + "/outside/sub"))
        }
    }

    @Test("the runtime binary is not reachable from the container (CVE-2019-5736)")
    func binaryNotExposed() throws {
        try withBundle { b in
            // The container's init is the user's process itself: /proc/1/exe is busybox, and no
            // process of the container has roost as its executable.
            b.config["root"] = ["path": "rootfs", "readonly": false]
            b.shell("readlink /proc/1/exe; for p in /proc/[0-9]*; do readlink $p/exe; done | grep -c roost || true")
            let r = try b.run()
            let lines = r.stdout.split(separator: "\n")
            #expect(lines.first == "/bin/busybox", "\(r)")
            #expect(lines.last == "0", "\(r)")
        }
    }

    @Test("a cwd outside the root is refused (CVE-2024-21626)")
    func cwdEscape() throws {
        try withBundle { b in
            var p = b.process
            p["cwd"] = "/proc/self/fd/5"
            b.process = p
            b.setArgs(["pwd"])
            let r = try b.run()
            #expect(r.status != 0, "\(r)")
            #expect(r.stdout.isEmpty)
        }
    }
}
