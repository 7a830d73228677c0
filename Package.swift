// swift-tools-version: 6.0
import PackageDescription

// Layers, one way: roost → RoostCLI → RoostRuntime → {RoostSpec, RoostCgroups → RoostDBus → RoostLinux → CRoostShim, RoostSeccomp → {CSeccomp, RoostLinux}}.
let package = Package(
    name: "roost",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "roost", targets: ["roost"])
    ],
    targets: [
        // C only where Swift cannot go: raw clone3, variadic syscalls, kernel structs and constants.
        .target(name: "CRoostShim"),
        // The OCI runtime-spec as value types; standard library only.
        .target(name: "RoostSpec"),
        // Typed syscall wrappers; knows nothing of OCI.
        .target(name: "RoostLinux", dependencies: ["CRoostShim"]),
        // A minimal blocking D-Bus client (wire format, SASL EXTERNAL, calls, signals) for the
        // systemd cgroup driver; standard library and Glibc only.
        .target(name: "RoostDBus", dependencies: ["RoostLinux"]),
        // cgroup placement, resources, freezer; knows the spec's resources, not the lifecycle.
        .target(name: "RoostCgroups", dependencies: ["RoostSpec", "RoostLinux", "RoostDBus", "CRoostShim"]),
        // libseccomp (static in the release binary), for the parent only.
        .systemLibrary(name: "CSeccomp", path: "Sources/CSeccomp"),
        // linux.seccomp to BPF (libseccomp, in the parent) and the one syscall that loads it (in the child).
        .target(name: "RoostSeccomp", dependencies: ["RoostSpec", "RoostLinux", "CSeccomp", "CRoostShim"]),
        // The container lifecycle: joins the spec to the kernel, through RoostLinux alone (no C shim).
        .target(name: "RoostRuntime", dependencies: ["RoostSpec", "RoostLinux", "RoostCgroups", "RoostSeccomp"]),
        // runc's command line.
        .target(name: "RoostCLI", dependencies: ["RoostRuntime", "RoostLinux"]),
        .executableTarget(name: "roost", dependencies: ["RoostCLI"]),

        // libFuzzer over the parsers of untrusted bytes (`make fuzz`); elsewhere a replayer of inputs.
        .executableTarget(name: "roost-fuzz", dependencies: ["RoostSpec", "RoostLinux", "RoostRuntime", "CRoostShim"], path: "Fuzz/roost-fuzz"),

        .testTarget(name: "RoostSpecTests", dependencies: ["RoostSpec"]),
        .testTarget(name: "RoostDBusTests", dependencies: ["RoostDBus"]),
        .testTarget(name: "RoostCgroupsTests", dependencies: ["RoostCgroups"]),
        .testTarget(name: "RoostSeccompTests", dependencies: ["RoostSeccomp"]),
        .testTarget(name: "RoostLinuxTests", dependencies: ["RoostLinux"]),
        .testTarget(name: "RoostRuntimeTests", dependencies: ["RoostRuntime", "RoostLinux", "CRoostShim"]),
        .testTarget(name: "RoostCLITests", dependencies: ["RoostCLI"]),
        .target(name: "RoostTestSupport", path: "Tests/RoostTestSupport"),
        .testTarget(name: "IntegrationTests", dependencies: ["RoostTestSupport"]),
    ]
)
