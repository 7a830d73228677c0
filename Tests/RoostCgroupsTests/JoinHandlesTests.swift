import Glibc
import RoostLinux
@testable import RoostCgroups
import Testing

/// CgroupJoinHandles on plain files standing in for cgroupfs: what join writes, and that every
/// descriptor is closed by join or, unused, when the handles go.
@Suite struct JoinHandlesTests {
    private func inode(_ fd: Int32) -> ino_t? {
        var st = stat()
        return fstat(fd, &st) == 0 ? st.st_ino : nil
    }

    private func tree() -> (String, [CgroupDirectory]) {
        let top = temporaryDirectory()
        for d in ["memory", "pids", "unified"] { mkdir(top + "/" + d, 0o755) }
        for d in ["memory", "pids"] { close(open(top + "/" + d + "/tasks", O_CREAT | O_WRONLY, 0o644)) }
        return (top, [
            CgroupDirectory(controllers: "memory", path: top + "/memory"), CgroupDirectory(controllers: "pids", path: top + "/pids"),
            CgroupDirectory(controllers: "", path: top + "/unified"),
        ])
    }

    @Test func joinWritesZeroToEveryTasksFileThenClosesAll() throws {
        let (top, dirs) = tree()
        defer { removeRecursively(top) }
        var h = try CgroupJoinHandles.open(dirs)
        #expect(h.tasks.count == 2 && h.unified >= 0 && h.unifiedProcs == -1)
        let held = h.raws.map { ($0, inode($0)!) }
        #expect(held.count == 3)
        try h.join()
        #expect(h.raws.isEmpty)
        #expect(held.allSatisfy { inode($0.0) != $0.1 })
        for d in ["memory", "pids"] { #expect(readFile(top + "/" + d + "/tasks") == "0") }
    }

    @Test func unusedHandlesCloseWhenTheyGo() throws {
        let (top, dirs) = tree()
        defer { removeRecursively(top) }
        var held: [(Int32, ino_t)] = []
        do {
            let h = try CgroupJoinHandles.open(dirs)
            held = h.raws.map { ($0, inode($0)!) }
        }
        #expect(held.count == 3 && held.allSatisfy { inode($0.0) != $0.1 })
    }

    @Test func aFailedOpenClosesWhatWasOpened() throws {
        let (top, dirs) = tree()
        defer { removeRecursively(top) }
        #expect(throws: SyscallError.self) {
            _ = try CgroupJoinHandles.open(dirs + [CgroupDirectory(controllers: "cpu", path: top + "/missing")])
        }
        #expect(openBelow(top).isEmpty)
    }

    /// This process's descriptors of files below `dir` (which no other test uses).
    private func openBelow(_ dir: String) -> [String] {
        (FileIO.entries("/proc/self/fd") ?? []).compactMap { entry -> String? in
            var buf = [UInt8](repeating: 0, count: 4096)
            let n = buf.withUnsafeMutableBytes { readlink("/proc/self/fd/" + entry.name, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count - 1) }
            guard n > 0 else { return nil }
            let target = String(decoding: buf[..<n], as: UTF8.self)
            return target.hasPrefix(dir + "/") ? target : nil
        }
    }
}
