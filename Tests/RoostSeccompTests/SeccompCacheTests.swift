import Foundation
import RoostSeccomp
import RoostSpec
import Testing

/// The compiled-filter cache on a real directory: a large profile is compiled once and read back
/// after; a small one is always compiled; an entry whose key differs is never handed out.
@Suite struct SeccompCacheTests {
    /// A profile of `count` names (errno rules), the kind an engine sends.
    func profile(_ count: Int, errno: UInt = 1) -> Spec.Seccomp {
        let names = ["mkdir", "rmdir", "chmod", "chown", "link", "unlink", "symlink", "rename", "mknod", "mount", "umount2",
            "pivot_root", "chroot", "acct", "swapon", "swapoff", "reboot", "sethostname", "setdomainname", "init_module",
            "delete_module", "kexec_load", "ptrace", "personality", "quotactl", "syslog", "uselib", "ustat", "sysfs",
            "vhangup", "nfsservctl", "lookup_dcookie", "perf_event_open", "bpf", "userfaultfd", "keyctl", "add_key", "request_key"]
        return Spec.Seccomp(defaultAction: "SCMP_ACT_ALLOW", flags: [],
                            syscalls: [Spec.Syscall(names: Array(names.prefix(count)), action: "SCMP_ACT_ERRNO", errnoRet: errno)])
    }

    func withCache(_ body: (SeccompCache, String) throws -> Void) throws {
        let root = FileManager.default.temporaryDirectory.path + "/roost-seccomp-cache-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try body(SeccompCache(stateRoot: root), root)
    }

    func entries(_ cache: SeccompCache) -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: cache.directory)) ?? [] }

    @Test func aLargeProfileIsCompiledOnceThenReadBack() throws {
        try withCache { cache, _ throws in
            let (first, firstSource) = try #require(try cache.compile(profile(36)))
            #expect(firstSource == .compiled && entries(cache).count == 1)
            let (again, source) = try #require(try cache.compile(profile(36)))
            #expect(source == .cache)
            #expect(again.filter.program == first.filter.program && again.filter.flags == first.filter.flags)
            // Another profile is another entry, compiled.
            let (_, other) = try #require(try cache.compile(profile(36, errno: 2)))
            #expect(other == .compiled && entries(cache).count == 2)
        }
    }

    @Test func aSmallProfileIsAlwaysCompiled() throws {
        try withCache { cache, _ throws in
            #expect(try cache.compile(profile(8))?.1 == .compiled)
            #expect(try cache.compile(profile(8))?.1 == .compiled)
            #expect(entries(cache).isEmpty)
        }
    }

    @Test func anEntryForAnotherKeyIsNotHandedOut() throws {
        try withCache { cache, _ throws in
            let (compiled, _) = try #require(try cache.compile(profile(36)))
            let name = try #require(entries(cache).first)
            // Same file name (as a hash collision would give), another profile's key in it.
            var bytes = Array("roost seccomp cache 2\nsome other profile\n".utf8) + [0]
            bytes += compiled.filter.serialized
            try Data(bytes).write(to: URL(fileURLWithPath: cache.directory + "/" + name))
            #expect(try cache.compile(profile(36))?.1 == .compiled)
        }
    }
}
