import RoostSpec
import Testing

@Suite("runc spec default")
struct SpecDefaultTests {
    @Test(
        "marshalIndented is byte-identical to runc 1.5's `runc spec`",
        arguments: [
            (false, false, RuncSpecFixtures.standard),
            (false, true, RuncSpecFixtures.cgroupNamespace),
            (true, false, RuncSpecFixtures.rootless),
            (true, true, RuncSpecFixtures.rootlessCgroupNamespace),
        ])
    func byteIdentical(rootless: Bool, cgroupNamespace: Bool, expected: String) {
        let spec = Spec.runcDefault(rootless: rootless, cgroupNamespace: cgroupNamespace, uid: 1000, gid: 1000)
        let output = spec.marshalIndented()
        #expect(Array(output.utf8) == Array(expected.utf8))
        #expect(spec.marshalBytes() == Array(expected.utf8))
        #expect(!output.hasSuffix("\n"))
    }

    @Test("the default specs decode back to themselves and validate", arguments: [false, true])
    func roundTrip(rootless: Bool) throws {
        let spec = Spec.runcDefault(rootless: rootless, cgroupNamespace: true, uid: 1000, gid: 1000)
        let decoded = try Spec.decode(spec.marshalBytes())
        #expect(decoded == spec)
        #expect(try decoded.validateForRun().args == ["sh"])
    }

    @Test("rootless conversion follows runc's ToRootless")
    func rootlessDetails() throws {
        let spec = Spec.runcDefault(cgroupNamespace: false).rootless(uid: 1234, gid: 5678)
        let linux = try #require(spec.linux)
        #expect(linux.namespaces?.map(\.type) == [.pid, .ipc, .uts, .mount, .user])
        #expect(linux.uidMappings == [Spec.IDMapping(containerID: 0, hostID: 1234, size: 1)])
        #expect(linux.gidMappings == [Spec.IDMapping(containerID: 0, hostID: 5678, size: 1)])
        #expect(linux.resources == nil)
        let sys = try #require(spec.mounts?.first { $0.destination == "/sys" })
        #expect(
            sys
                == Spec.Mount(
                    destination: "/sys", type: "none", source: "/sys",
                    options: ["rbind", "nosuid", "noexec", "nodev", "ro"]))
        let pts = try #require(spec.mounts?.first { $0.destination == "/dev/pts" })
        #expect(pts.options?.contains("gid=5") == false)
        // A mount left with no options has them omitted, like Go's nil slice.
        let custom = Spec(
            ociVersion: "1.3.0",
            mounts: [
                Spec.Mount(destination: "/x", options: ["uid=1", "gid=2"]),
                Spec.Mount(destination: "/sys/", options: []),
            ]
        ).rootless(uid: 1, gid: 1)
        #expect(custom.mounts?.first?.options == nil)
        #expect(custom.mounts?.last?.source == "/sys")
        #expect(custom.linux?.namespaces == [Spec.Namespace(type: .user)])
    }

    @Test("the user namespace moves to the end and the network namespace goes")
    func rootlessNamespaceOrder() {
        let spec = Spec(
            ociVersion: "1.3.0",
            linux: Spec.Linux(namespaces: [
                Spec.Namespace(type: .user), Spec.Namespace(type: .network), Spec.Namespace(type: .pid),
            ])
        ).rootless(uid: 1, gid: 1)
        #expect(spec.linux?.namespaces?.map(\.type) == [.pid, .user])
    }
}
