import Testing
@testable import RoostCgroups

@Suite struct PathTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let cgroupsPath: String?
        let own: String
        let root: String
        let expected: String
        var testDescription: String { "\(cgroupsPath ?? "nil") own \(own) → \(expected)" }
    }

    /// runc fs2: absolute from the root, relative (or the id) below the parent of roost's own
    /// cgroup, ".." unable to climb out of that parent.
    @Test(arguments: [
        Case(cgroupsPath: nil, own: "/user.slice/session-1.scope", root: "/sys/fs/cgroup", expected: "/sys/fs/cgroup/user.slice/ctr"),
        Case(cgroupsPath: "", own: "/user.slice/session-1.scope", root: "/sys/fs/cgroup", expected: "/sys/fs/cgroup/user.slice/ctr"),
        Case(cgroupsPath: "/machine/ctr", own: "/user.slice/session-1.scope", root: "/sys/fs/cgroup", expected: "/sys/fs/cgroup/machine/ctr"),
        Case(cgroupsPath: "/a/../b/./c/", own: "/x", root: "/sys/fs/cgroup", expected: "/sys/fs/cgroup/b/c"),
        Case(cgroupsPath: "pods/ctr", own: "/", root: "/sys/fs/cgroup", expected: "/sys/fs/cgroup/pods/ctr"),
        Case(cgroupsPath: "pods/ctr", own: "/init.scope", root: "/sys/fs/cgroup", expected: "/sys/fs/cgroup/pods/ctr"),
        Case(cgroupsPath: "../../escape", own: "/a/b", root: "/sys/fs/cgroup", expected: "/sys/fs/cgroup/a/escape"),
        Case(cgroupsPath: nil, own: "/", root: "/sys/fs/cgroup/unified", expected: "/sys/fs/cgroup/unified/ctr"),
        Case(cgroupsPath: "/", own: "/a", root: "/sys/fs/cgroup", expected: "/sys/fs/cgroup"),
    ])
    func location(c: Case) {
        #expect(CgroupV2.location(cgroupsPath: c.cgroupsPath, id: "ctr", root: c.root, ownCgroup: c.own) == c.expected)
    }

    @Test func ownCgroupLine() {
        #expect(CgroupV2.ownCgroup("12:pids:/x\n0::/user.slice/s.scope\n") == "/user.slice/s.scope")
        #expect(CgroupV2.ownCgroup("1:name=systemd:/\n") == nil)
    }

    @Test func recordedDirectoriesRoundTrip() {
        let v2 = CgroupV2(path: "/sys/fs/cgroup/ctr")
        #expect(Cgroup.recorded(v2.directories, mode: .unified) as? CgroupV2 == v2)
        let v1 = CgroupV1(directories: [.init(controllers: "memory", path: "/sys/fs/cgroup/memory/ctr"), .init(controllers: "", path: "/sys/fs/cgroup/unified/ctr")])
        #expect(Cgroup.recorded(v1.directories, mode: .hybrid) as? CgroupV1 == v1)
        let scope = CgroupSystemd(slice: "", unit: "runc-ctr.scope", name: "", v2: CgroupV2(path: "/sys/fs/cgroup/system.slice/runc-ctr.scope"))
        #expect(Cgroup.recorded(scope.directories, mode: .unified) as? CgroupSystemd == scope)
        #expect(Cgroup.recorded(scope.directories, mode: .hybrid) is CgroupV1)
    }

    /// This host's mode, from its mounts: /sys/fs/cgroup as cgroup2 is unified; a cgroup2
    /// mount at …/unified beside v1 ones is hybrid.
    @Test func detectMatchesMountinfo() throws {
        let mountinfo = readFile("/proc/self/mountinfo") ?? ""
        var types: [String: String] = [:]
        for line in mountinfo.split(separator: "\n") {
            let f = line.split(separator: " ")
            if let dash = f.firstIndex(of: "-"), f.count > dash + 1 { types[String(f[4])] = String(f[dash + 1]) }
        }
        let expected: Cgroup.Mode = types["/sys/fs/cgroup"] == "cgroup2" ? .unified : types["/sys/fs/cgroup/unified"] == "cgroup2" ? .hybrid : .legacy
        #expect(Cgroup.detect() == expected)
        #expect(Cgroup.detect("/proc") == .legacy)
    }
}
