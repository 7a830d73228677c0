import CRoostShim
import Glibc
import RoostLinux

/// InRoot.resolve against the kernel. The tree (made once, in a new temporary directory) holds
/// symlinks that point out of the root in every way a rootfs can: absolute, `..` chains, loops,
/// links to links, links through files. The input's lines before the last are the targets of
/// /fz and /a/fz (made again for every input), so the fuzzer writes its own links; the last line
/// is the path. Properties: resolve's components are plain names; and when the kernel's
/// openat2(RESOLVE_IN_ROOT) finds the path, the resolved components, opened with every symlink
/// refused, name the same inode (a resolver that let `..` or a link climb out would not).
final class InRootTarget {
    nonisolated(unsafe) static let shared = InRootTarget()

    let top: String
    let root: InRoot

    init() {
        let tmp = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array((tmp + "/roost-fuzz-inroot-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { fatalError("mkdtemp: \(errno)") }
        top = String(cString: made)
        let base = top + "/root"
        for dir in Self.directories { mkdir(base + dir, 0o755) }
        for file in Self.files { close(open(base + file, O_CREAT | O_WRONLY, 0o644)) }
        // The host side: a file beside the root that no resolution may reach.
        close(open(top + "/outside", O_CREAT | O_WRONLY, 0o644))
        for (path, target) in Self.links { symlink(target, base + path) }
        do throws(SyscallError) { root = try InRoot(path: base) } catch { fatalError("\(error)") }
        atexit { InRootTarget.shared.removeTree() }
    }

    static let directories = ["", "/a", "/a/b", "/a/b/c", "/etc", "/proc", "/dev"]
    static let files = ["/a/file", "/etc/shadow"]
    static let links: [(String, String)] = [
            ("/abs", "/"), ("/up", "../../.."), ("/a/up", "../.."), ("/a/b/up", "../../../../outside"),
            ("/a/b/c/rel", "../../file"), ("/loop1", "loop2"), ("/loop2", "/loop1"), ("/self", "."),
            ("/etclink", "/etc"), ("/a/host", "/../../outside"), ("/a/chain", "../abs/a/b/up"),
            ("/dangling", "/nonexistent/x"), ("/a/b/dotdot", ".."), ("/throughfile", "/a/file/.."),
            ("/procself", "/proc/self/root"), ("/a/b/c/deep", "../../../../../../../etc/shadow"),
            ("/a/b/abs", "/a/file"), ("/a/b/c/root", "/"), ("/a/shadow", "/etc/shadow"), ("/a/b/c/twice", "/a/b/c/root/a/b/up"),
    ]

    func removeTree() {
        let base = top + "/root"
        for link in Self.links.map(\.0) + Self.files + ["/fz", "/a/fz"] { unlink(base + link) }
        for dir in Self.directories.reversed() { rmdir(base + dir) }
        unlink(top + "/outside")
        rmdir(top)
    }

    func run(_ input: UnsafeRawBufferPointer) {
        let text = String(decoding: input.filter { $0 != 0 }, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let path = lines.removeLast()
        for (i, link) in ["fz", "a/fz"].enumerated() {
            unlinkat(root.root.raw, link, 0)
            if i < lines.count && !lines[i].isEmpty { symlinkat(lines[i], root.root.raw, link) }
        }

        let parts: [String]
        do throws(SyscallError) { parts = try root.resolve(path) } catch {
            if error.errno != ELOOP { fail("resolve failed with \(error)", input) }
            return
        }
        for part in parts where part.isEmpty || part == "." || part == ".." || part.contains("/") {
            fail("resolve gave the component \(part.debugDescription) in \(parts)", input)
        }
        guard let kernel = try? root.open(path) else { return }
        let relative = parts.isEmpty ? "." : parts.joined(separator: "/")
        let fd = openat2(root.root.raw, relative, flags: ROOST_O_PATH | O_CLOEXEC,
            resolve: ROOST_RESOLVE_BENEATH | ROOST_RESOLVE_NO_SYMLINKS)
        if fd < 0 {
            fail("the kernel opens \(path.debugDescription) in the root, resolve's \(relative.debugDescription) does not open (errno \(errno))", input)
        }
        defer { close(fd) }
        var a = stat(), b = stat()
        fstat(kernel.raw, &a)
        fstat(fd, &b)
        if a.st_dev != b.st_dev || a.st_ino != b.st_ino {
            fail("resolve's \(relative.debugDescription) is not the file the kernel finds for \(path.debugDescription)", input)
        }
    }
}
