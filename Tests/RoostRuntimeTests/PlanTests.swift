import Foundation
import Glibc
import RoostCgroups
import RoostLinux
@testable import RoostRuntime
import RoostSpec
import Testing

/// A host made up for the test: which files exist (and of what type), which fds are open, which
/// namespaces and security modules the kernel has, its cgroups.
struct FakeHost: HostProbe {
    var isRoot = true
    var files: [String: mode_t] = ["/bundle/rootfs": S_IFDIR]
    var openFDs: Set<Int32> = []
    var missingNamespaces: Set<NamespaceKind> = []
    var selinuxEnabled = false
    var apparmorEnabled = false
    var cgroupMode = Cgroup.Mode.hybrid
    var hierarchies = CgroupHierarchies(
        v1: [CgroupMount.Hierarchy(mountpoint: "/sys/fs/cgroup/memory", controllers: "memory", path: "/user.slice")],
        unifiedPath: "/user.slice", isV2Only: false)
    var asked: [String] = []

    func isOpen(_ fd: Int32) -> Bool { openFDs.contains(fd) }
    func fileType(_ path: String) -> mode_t? { files[path] }
    func hasNamespace(_ kind: NamespaceKind) -> Bool { !missingNamespaces.contains(kind) }
    func cgroupDriver(cgroupsPath: String?, id: String, systemd: Bool) throws -> any CgroupDriver {
        if systemd { return try CgroupSystemd.paths(cgroupsPath: cgroupsPath, id: id) }
        return CgroupV1(directories: [
            CgroupDirectory(controllers: "memory", path: "/sys/fs/cgroup/memory" + (cgroupsPath ?? "/user.slice/\(id)")),
            CgroupDirectory(controllers: "", path: "/sys/fs/cgroup/unified" + (cgroupsPath ?? "/user.slice/\(id)")),
        ])
    }
    func cgroupHierarchies() throws(SyscallError) -> CgroupHierarchies { hierarchies }
}

/// ContainerPlan built from configs against a made-up host, no root and no kernel needed: what
/// it resolves, and each refusal by its JSON path before anything is made.
@Suite("the container plan, against a made-up host")
struct PlanTests {
    /// runc's `spec` template with `edit` applied to its JSON.
    func spec(_ edit: (inout [String: Any]) -> Void = { _ in }) throws -> Spec {
        let template = Array(Spec.runcDefault(cgroupNamespace: false).marshalIndented().utf8)
        var json = try JSONSerialization.jsonObject(with: Data(template)) as! [String: Any]
        edit(&json)
        return try Spec.decode(Array(try JSONSerialization.data(withJSONObject: json)))
    }

    func plan(_ spec: Spec, _ host: FakeHost = FakeHost(), options: ContainerPlan.Options = .init()) throws -> ContainerPlan {
        try ContainerPlan(id: "ctr", bundle: "/bundle", spec: spec, options: options, host: host)
    }

    /// The error's one line, or nil when the plan was made.
    func refusal(_ spec: Spec, _ host: FakeHost = FakeHost(), options: ContainerPlan.Options = .init()) -> String? {
        do { _ = try plan(spec, host, options: options); return nil } catch { return "\(error)" }
    }

    @Test("the template as root: new namespaces in one clone, its mounts, its cgroup, seen from inside")
    func template() throws {
        let p = try plan(try spec())
        #expect(p.privileged && p.joins.isEmpty && p.hasMountNamespace && p.hasPidNamespace)
        #expect(p.cloneFlags & NamespaceKind.mount.cloneFlag != 0 && p.cloneFlags & NamespaceKind.user.cloneFlag == 0)
        #expect(p.rootfs == "/bundle/rootfs")
        #expect(p.mounts.map(\.destination).first == "/proc")
        #expect(p.cgroups?.directories.first?.path == "/sys/fs/cgroup/memory/user.slice/ctr")
        // The container's /sys/fs/cgroup shows its own cgroup, relative to each hierarchy.
        #expect(p.cgroupHierarchies?.v1.first?.path == "/user.slice/ctr")
        #expect(!p.process.setgroupsDenied)
    }

    @Test("without root: no cgroup of roost's making, setgroups denied, nothing to seal")
    func unprivileged() throws {
        var host = FakeHost()
        host.isRoot = false
        let p = try plan(try spec(), host)
        #expect(!p.privileged && p.cgroups == nil && p.process.setgroupsDenied && !p.clonesNeedSealedExe)
    }

    @Test("a rootfs that is missing, or no directory, is refused by root.path")
    func rootfs() throws {
        var host = FakeHost()
        host.files = [:]
        #expect(refusal(try spec(), host) == "config.json: root.path: rootfs /bundle/rootfs does not exist")
        host.files = ["/bundle/rootfs": S_IFREG]
        #expect(refusal(try spec(), host) == "config.json: root.path: rootfs /bundle/rootfs is not a directory")
    }

    @Test("--preserve-fds and LISTEN_FDS name an fd that is not open")
    func preservedFDs() throws {
        var options = ContainerPlan.Options()
        options.preserveFDs = 2
        var host = FakeHost()
        host.openFDs = [3]
        #expect(refusal(try spec(), host, options: options) == "--preserve-fds 2: fd 4 is not open")
        host.openFDs = [3, 4]
        #expect(refusal(try spec(), host, options: options) == nil)
        options.listenFDs = 1
        host.openFDs = []
        #expect(refusal(try spec(), host, options: options) == "LISTEN_FDS=1: fd 3 is not open")
    }

    @Test("a namespace the kernel lacks, and a namespace path that does not exist, by their JSON paths")
    func namespaces() throws {
        var host = FakeHost()
        host.missingNamespaces = [.ipc]
        let s = try spec()
        let i = try #require(s.linux?.namespaces?.firstIndex { $0.type.rawValue == "ipc" })
        #expect(refusal(s, host) == "config.json: linux.namespaces[\(i)]: this kernel has no ipc namespace")
        let joined = try spec { json in
            var linux = json["linux"] as! [String: Any]
            linux["namespaces"] = [["type": "mount"], ["type": "pid"], ["type": "uts"], ["type": "network", "path": "/run/netns/x"]]
            json["linux"] = linux
        }
        #expect(refusal(joined, FakeHost()) == "config.json: linux.namespaces[3].path: /run/netns/x does not exist")
        var withNetns = FakeHost()
        withNetns.files["/run/netns/x"] = S_IFREG
        let p = try plan(joined, withNetns)
        #expect(p.joins.map(\.kind) == [.network] && p.joins.first?.path == "/run/netns/x")
    }

    @Test("labels and profiles the host cannot apply are refused by their JSON paths")
    func securityModules() throws {
        let label = try spec { json in
            var process = json["process"] as! [String: Any]
            process["selinuxLabel"] = "system_u:system_r:container_t:s0"
            json["process"] = process
        }
        #expect(refusal(label)?.hasPrefix("config.json: process.selinuxLabel: SELinux label") == true)
        var selinux = FakeHost()
        selinux.selinuxEnabled = true
        #expect(try plan(label, selinux).process.selinuxLabel == "system_u:system_r:container_t:s0")

        let mountLabel = try spec { json in
            var linux = json["linux"] as! [String: Any]
            linux["mountLabel"] = "system_u:object_r:container_file_t:s0"
            json["linux"] = linux
        }
        #expect(refusal(mountLabel)?.hasPrefix("config.json: linux.mountLabel: SELinux mount label") == true)

        let profile = try spec { json in
            var process = json["process"] as! [String: Any]
            process["apparmorProfile"] = "roost-test"
            json["process"] = process
        }
        #expect(refusal(profile)?.hasPrefix("config.json: process.apparmorProfile: AppArmor profile") == true)
        var apparmor = FakeHost()
        apparmor.apparmorEnabled = true
        #expect(try plan(profile, apparmor).process.apparmorProfile == "roost-test")
    }

    @Test("a bind source must exist; a relative one is the bundle's; a file is bound as a file")
    func bindSources() throws {
        let s = try spec { json in
            var mounts = json["mounts"] as! [[String: Any]]
            mounts.append(["destination": "/etc/hosts", "type": "bind", "source": "hosts", "options": ["rbind", "ro"]])
            json["mounts"] = mounts
        }
        let at = (s.mounts?.count ?? 1) - 1
        #expect(refusal(s) == "config.json: mounts[\(at)].source: bind source /bundle/hosts does not exist")
        var host = FakeHost()
        host.files["/bundle/hosts"] = S_IFREG
        let bind = try #require(try plan(s, host).mounts.last)
        #expect(bind.kind == .bind && bind.source == "/bundle/hosts" && !bind.sourceIsDirectory)
    }

    @Test("--systemd-cgroup needs a unified host and root")
    func systemdCgroup() throws {
        var options = ContainerPlan.Options()
        options.systemdCgroup = true
        #expect(refusal(try spec(), FakeHost(), options: options)?.hasPrefix("--systemd-cgroup: this host mounts cgroup v1 (hybrid)") == true)
        var unified = FakeHost()
        unified.cgroupMode = .unified
        #expect(try plan(try spec(), unified, options: options).cgroups?.madeAroundProcess == true)
        unified.isRoot = false
        #expect(refusal(try spec(), unified, options: options)?.hasPrefix("--systemd-cgroup: not supported without root") == true)
    }
}
