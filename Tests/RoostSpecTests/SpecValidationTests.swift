import RoostSpec
import Testing

/// One broken config: a change to a valid spec and the exact error it must give.
struct BadConfig: Sendable, CustomTestStringConvertible {
    let expected: String
    let change: @Sendable (inout Spec) -> Void

    init(_ expected: String, _ change: @escaping @Sendable (inout Spec) -> Void) {
        self.expected = expected
        self.change = change
    }

    var testDescription: String { expected }
}

private func withLinux(_ change: @escaping @Sendable (inout Spec.Linux) -> Void) -> @Sendable (inout Spec) -> Void {
    { spec in
        var linux = spec.linux ?? Spec.Linux()
        change(&linux)
        spec.linux = linux
    }
}

private func withProcess(_ change: @escaping @Sendable (inout Spec.Process) -> Void) -> @Sendable (inout Spec) -> Void {
    { spec in
        var process = spec.process ?? Spec.Process(args: ["sh"], cwd: "/")
        change(&process)
        spec.process = process
    }
}

private func without(_ types: NamespaceType...) -> @Sendable (inout Spec.Linux) -> Void {
    { linux in linux.namespaces = linux.namespaces?.filter { !types.contains($0.type) } }
}

private func adding(_ namespace: Spec.Namespace) -> @Sendable (inout Spec.Linux) -> Void {
    { linux in linux.namespaces = (linux.namespaces ?? []) + [namespace] }
}

private let userMappings = [Spec.IDMapping(containerID: 0, hostID: 1000, size: 1)]

@Suite("Spec validation")
struct SpecValidationTests {
    static let badConfigs: [BadConfig] = [
        // Top level
        BadConfig("config.json: ociVersion: must not be empty") { $0.ociVersion = "" },
        BadConfig("config.json: root: must be specified") { $0.root = nil },
        BadConfig("config.json: root.path: must not be empty") { $0.root?.path = "" },

        // Process
        BadConfig("config.json: process.cwd: must not be empty", withProcess { $0.cwd = "" }),
        BadConfig("config.json: process.cwd: must be an absolute path", withProcess { $0.cwd = "srv" }),
        BadConfig("config.json: process.args: must not be empty", withProcess { $0.args = [] }),
        BadConfig("config.json: process.args: must not be empty", withProcess { $0.args = nil }),
        BadConfig(
            #"config.json: process.rlimits[1].type: unknown rlimit type "RLIMIT_FOO""#,
            withProcess { $0.rlimits?.append(Spec.Rlimit(type: "RLIMIT_FOO", hard: 1, soft: 1)) }),
        BadConfig(
            #"config.json: process.rlimits[1].type: duplicate rlimit type "RLIMIT_NOFILE""#,
            withProcess { $0.rlimits?.append(Spec.Rlimit(type: "RLIMIT_NOFILE", hard: 1, soft: 1)) }),
        BadConfig(
            "config.json: process.rlimits[0]: soft limit 2048 exceeds hard limit 1024",
            withProcess { $0.rlimits = [Spec.Rlimit(type: "RLIMIT_NOFILE", hard: 1024, soft: 2048)] }),
        BadConfig(
            "config.json: process.oomScoreAdj: must be between -1000 and 1000", withProcess { $0.oomScoreAdj = 1001 }),
        BadConfig(
            "config.json: process.scheduler.policy: is required",
            withProcess { $0.scheduler = Spec.Scheduler(policy: "") }),
        BadConfig(
            #"config.json: process.scheduler.policy: unknown scheduler policy "SCHED_FAST""#,
            withProcess { $0.scheduler = Spec.Scheduler(policy: "SCHED_FAST") }),
        BadConfig(
            "config.json: process.scheduler.nice: must be between -20 and 19 for SCHED_OTHER",
            withProcess { $0.scheduler = Spec.Scheduler(policy: "SCHED_OTHER", nice: 20) }),
        BadConfig(
            "config.json: process.scheduler.priority: can only be set for SCHED_FIFO or SCHED_RR",
            withProcess { $0.scheduler = Spec.Scheduler(policy: "SCHED_OTHER", priority: 1) }),
        BadConfig(
            "config.json: process.scheduler.deadline: can only be set for SCHED_DEADLINE",
            withProcess { $0.scheduler = Spec.Scheduler(policy: "SCHED_RR", deadline: 5) }),
        BadConfig(
            #"config.json: process.scheduler.flags[0]: unknown scheduler flag "SCHED_FLAG_X""#,
            withProcess { $0.scheduler = Spec.Scheduler(policy: "SCHED_IDLE", flags: ["SCHED_FLAG_X"]) }),
        BadConfig(
            "config.json: process.ioPriority.priority: must be between 0 and 7",
            withProcess { $0.ioPriority = Spec.IOPriority(class: "IOPRIO_CLASS_BE", priority: 8) }),
        BadConfig(
            #"config.json: process.ioPriority.class: unknown I/O priority class "IOPRIO_CLASS_X""#,
            withProcess { $0.ioPriority = Spec.IOPriority(class: "IOPRIO_CLASS_X", priority: 0) }),
        BadConfig(
            #"config.json: process.execCPUAffinity.initial: invalid CPU list: invalid range "3-1""#,
            withProcess { $0.execCPUAffinity = Spec.CPUAffinity(initial: "0,3-1") }),
        BadConfig(
            #"config.json: process.execCPUAffinity.final: invalid CPU list: invalid number "x" in "x""#,
            withProcess { $0.execCPUAffinity = Spec.CPUAffinity(final: "x") }),

        // Namespaces and UTS
        BadConfig(
            #"config.json: linux.namespaces[6].type: duplicate namespace type "pid""#,
            withLinux(adding(Spec.Namespace(type: .pid, path: "/proc/1/ns/pid")))),
        BadConfig(
            "config.json: hostname: unable to set hostname without a private UTS namespace", withLinux(without(.uts))),
        BadConfig("config.json: domainname: unable to set domainname without a private UTS namespace") {
            $0.hostname = nil
            $0.domainname = "example.com"
            $0.linux?.namespaces?.removeAll { $0.type == .uts }
        },

        // Mounts
        BadConfig("config.json: mounts[7].destination: must not be empty") {
            $0.mounts?.append(Spec.Mount(destination: ""))
        },
        BadConfig("config.json: mounts[7].source: must not contain a NUL byte") {
            $0.mounts?.append(Spec.Mount(destination: "/x", source: "a\u{0}b"))
        },
        BadConfig(
            #"config.json: mounts[7].options: bind mounts cannot have any filesystem-specific options applied ("mode=755", "defaults")"#
        ) {
            $0.mounts?.append(
                Spec.Mount(
                    destination: "/x", source: "/y", options: ["rbind", "ro", "mode=755", "rprivate", "defaults"]))
        },
        BadConfig("config.json: mounts[7]: id-mapped mounts are only supported for bind-mounts") {
            $0.mounts?.append(Spec.Mount(destination: "/x", type: "tmpfs", options: ["idmap"]))
        },
        BadConfig("config.json: mounts[7]: id-mapped mounts must have both uid and gid mappings specified") {
            $0.mounts?.append(Spec.Mount(destination: "/x", source: "/y", options: ["bind", "idmap"]))
        },
        BadConfig("config.json: mounts[7]: id-mapped mounts must have both uid and gid mappings specified") {
            $0.mounts?.append(Spec.Mount(destination: "/x", source: "/y", options: ["bind"], uidMappings: userMappings))
        },
        BadConfig("config.json: mounts[7].uidMappings[0].size: must be greater than 0") {
            $0.mounts?.append(
                Spec.Mount(
                    destination: "/x", source: "/y", options: ["bind"],
                    uidMappings: [Spec.IDMapping(containerID: 0, hostID: 1, size: 0)], gidMappings: userMappings))
        },

        // Hooks
        BadConfig("config.json: hooks.createRuntime[1].path: must be an absolute path") {
            $0.hooks = Spec.Hooks(createRuntime: [Spec.Hook(path: "/ok"), Spec.Hook(path: "bin/hook")])
        },
        BadConfig("config.json: hooks.prestart[0].path: must not be empty") {
            $0.hooks = Spec.Hooks(prestart: [Spec.Hook(path: "")])
        },
        BadConfig("config.json: hooks.poststop[0].timeout: must be greater than zero") {
            $0.hooks = Spec.Hooks(poststop: [Spec.Hook(path: "/bin/true", timeout: 0)])
        },

        // User namespace
        BadConfig(
            "config.json: linux.namespaces[6]: user namespace enabled, but no namespace path to join nor mappings to apply specified",
            withLinux(adding(Spec.Namespace(type: .user)))),
        BadConfig(
            "config.json: linux.gidMappings: user namespace mappings specified, but user namespace isn't enabled in the config",
            withLinux { $0.gidMappings = [] }),
        BadConfig("config.json: linux.uidMappings[0].size: must be greater than 0") {
            $0 = $0.rootless(uid: 1000, gid: 1000)
            $0.linux?.uidMappings?[0].size = 0
        },

        // Time namespace
        BadConfig(
            "config.json: linux.timeOffsets: time namespace offsets specified, but time namespace isn't enabled in the config",
            withLinux { $0.timeOffsets = ["monotonic": Spec.TimeOffset(secs: 1)] }),
        BadConfig(
            "config.json: linux.timeOffsets: time namespace enabled, but both namespace path and time offsets specified -- you may only provide one",
            withLinux {
                $0.namespaces?.append(Spec.Namespace(type: .time, path: "/proc/1/ns/time"))
                $0.timeOffsets = [:]
            }),
        BadConfig(
            #"config.json: linux.timeOffsets["realtime"]: unknown clock (expected "boottime" or "monotonic")"#,
            withLinux {
                $0.namespaces?.append(Spec.Namespace(type: .time))
                $0.timeOffsets = ["realtime": Spec.TimeOffset(secs: 1)]
            }),
        BadConfig(
            #"config.json: linux.timeOffsets["boottime"].nanosecs: must be less than 1000000000"#,
            withLinux {
                $0.namespaces?.append(Spec.Namespace(type: .time))
                $0.timeOffsets = ["boottime": Spec.TimeOffset(nanosecs: 1_000_000_000)]
            }),

        // Sysctl
        BadConfig(
            #"config.json: linux.sysctl["kernel.shmmax"]: not allowed in the host's IPC namespace"#,
            withLinux {
                without(.ipc)(&$0)
                $0.sysctl = ["kernel.shmmax": "1"]
            }),
        BadConfig(
            #"config.json: linux.sysctl["fs.mqueue.msg_max"]: not allowed in the host's IPC namespace"#,
            withLinux {
                without(.ipc)(&$0)
                $0.sysctl = ["fs.mqueue.msg_max": "1"]
            }),
        BadConfig(
            #"config.json: linux.sysctl["net/ipv4/ip_forward"]: not allowed in the host's network namespace"#,
            withLinux {
                without(.network)(&$0)
                $0.sysctl = ["net/ipv4/ip_forward": "1"]
            }),
        BadConfig(
            #"config.json: linux.sysctl["kernel.hostname"]: not allowed as it conflicts with the OCI "hostname" field"#,
            withLinux { $0.sysctl = ["kernel.hostname": "h"] }),
        BadConfig(
            #"config.json: linux.sysctl["user.max_user_namespaces"]: setting ucounts without a user namespace is not allowed"#,
            withLinux { $0.sysctl = ["user.max_user_namespaces": "0"] }),
        BadConfig(
            #"config.json: linux.sysctl["vm.swappiness"]: not in a separate kernel namespace"#,
            withLinux { $0.sysctl = ["net.core.somaxconn": "1", "vm.swappiness": "1"] }),
        BadConfig(
            #"config.json: linux.sysctl["kernel.domainname"]: not in a separate kernel namespace"#,
            { spec in
                spec.hostname = nil
                spec.linux?.namespaces?.removeAll { $0.type == .uts }
                spec.linux?.sysctl = ["kernel.domainname": "d"]
            }),

        // Masked paths
        BadConfig(
            "config.json: linux.maskedPaths: unable to restrict sys entries without a private mount namespace",
            withLinux(without(.mount))),
        BadConfig(
            "config.json: linux.readonlyPaths: unable to restrict sys entries without a private mount namespace",
            withLinux {
                without(.mount)(&$0)
                $0.maskedPaths = []
            }),

        // Devices
        BadConfig(
            #"config.json: linux.devices[0].type: unknown device type "x" (expected "c", "b", "u" or "p")"#,
            withLinux { $0.devices = [Spec.Device(path: "/dev/x", type: "x")] }),
        BadConfig(
            "config.json: linux.devices[1].path: must not be empty",
            withLinux { $0.devices = [Spec.Device(path: "/dev/p", type: "p"), Spec.Device(path: "", type: "c")] }),
        BadConfig(
            #"config.json: linux.resources.devices[1].type: unknown device type "u" (expected "a", "b" or "c")"#,
            withLinux { $0.resources?.devices?.append(Spec.DeviceCgroup(allow: true, type: "u", access: "r")) }),
        BadConfig(
            "config.json: linux.resources.devices[1].access: must not be empty",
            withLinux { $0.resources?.devices?.append(Spec.DeviceCgroup(allow: true, type: "c")) }),

        // Propagation, network devices
        BadConfig(
            #"config.json: linux.rootfsPropagation: unsupported value "recursive""#,
            withLinux { $0.rootfsPropagation = "recursive" }),
        BadConfig(
            "config.json: linux.netDevices: unable to move network devices without a network namespace",
            withLinux {
                without(.network)(&$0)
                $0.netDevices = ["eth1": Spec.NetDevice()]
            }),
        BadConfig(
            #"config.json: linux.netDevices["a/b"]: invalid network device name"#,
            withLinux { $0.netDevices = ["a/b": Spec.NetDevice()] }),
        BadConfig(
            #"config.json: linux.netDevices["eth1"].name: invalid network device name "a-name-that-is-too-long""#,
            withLinux { $0.netDevices = ["eth1": Spec.NetDevice(name: "a-name-that-is-too-long")] }),

        // Seccomp
        BadConfig(
            #"config.json: linux.seccomp.defaultAction: unknown seccomp action "SCMP_ACT_MAYBE""#,
            withLinux { $0.seccomp = Spec.Seccomp(defaultAction: "SCMP_ACT_MAYBE") }),
        BadConfig(
            #"config.json: linux.seccomp.defaultAction: unknown seccomp action """#,
            withLinux {
                $0.seccomp = Spec.Seccomp(
                    defaultAction: "", syscalls: [Spec.Syscall(names: ["read"], action: "SCMP_ACT_ALLOW")])
            }),
        BadConfig(
            "config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be used as default action",
            withLinux { $0.seccomp = Spec.Seccomp(defaultAction: "SCMP_ACT_NOTIFY", listenerPath: "/s") }),
        BadConfig(
            #"config.json: linux.seccomp.architectures[1]: unknown seccomp architecture "SCMP_ARCH_PARISC""#,
            withLinux {
                $0.seccomp = Spec.Seccomp(
                    defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86", "SCMP_ARCH_PARISC"])
            }),
        BadConfig(
            #"config.json: linux.seccomp.flags[0]: unknown seccomp flag "SECCOMP_FILTER_FLAG_X""#,
            withLinux { $0.seccomp = Spec.Seccomp(defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_X"]) }),
        BadConfig(
            #"config.json: linux.seccomp.syscalls[0].action: unknown seccomp action "ALLOW""#,
            withLinux {
                $0.seccomp = Spec.Seccomp(
                    defaultAction: "SCMP_ACT_ERRNO", syscalls: [Spec.Syscall(names: ["read"], action: "ALLOW")])
            }),
        BadConfig(
            "config.json: linux.seccomp.syscalls[0].names[1]: empty string is not a valid syscall",
            withLinux {
                $0.seccomp = Spec.Seccomp(
                    defaultAction: "SCMP_ACT_ERRNO",
                    syscalls: [Spec.Syscall(names: ["read", ""], action: "SCMP_ACT_ALLOW")])
            }),
        BadConfig(
            "config.json: linux.seccomp.syscalls[0].names[0]: SCMP_ACT_NOTIFY cannot be used for the write syscall",
            withLinux {
                $0.seccomp = Spec.Seccomp(
                    defaultAction: "SCMP_ACT_ALLOW", listenerPath: "/s",
                    syscalls: [Spec.Syscall(names: ["write"], action: "SCMP_ACT_NOTIFY")])
            }),
        BadConfig(
            "config.json: linux.seccomp.syscalls[0].args[0].index: must be between 0 and 5",
            withLinux {
                $0.seccomp = Spec.Seccomp(
                    defaultAction: "SCMP_ACT_ALLOW",
                    syscalls: [
                        Spec.Syscall(
                            names: ["personality"], action: "SCMP_ACT_ERRNO",
                            args: [Spec.SeccompArg(index: 6, value: 0, op: "SCMP_CMP_EQ")])
                    ])
            }),
        BadConfig(
            #"config.json: linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator "==""#,
            withLinux {
                $0.seccomp = Spec.Seccomp(
                    defaultAction: "SCMP_ACT_ALLOW",
                    syscalls: [
                        Spec.Syscall(
                            names: ["personality"], action: "SCMP_ACT_ERRNO",
                            args: [Spec.SeccompArg(index: 0, value: 0, op: "==")])
                    ])
            }),
        BadConfig(
            "config.json: linux.seccomp.listenerPath: must be set when SCMP_ACT_NOTIFY is used",
            withLinux {
                $0.seccomp = Spec.Seccomp(
                    defaultAction: "SCMP_ACT_ALLOW",
                    syscalls: [Spec.Syscall(names: ["mount"], action: "SCMP_ACT_NOTIFY")])
            }),

        // Memory policy, personality, Intel RDT
        BadConfig(
            #"config.json: linux.memoryPolicy.mode: invalid memory policy mode "MPOL_FAST""#,
            withLinux { $0.memoryPolicy = Spec.MemoryPolicy(mode: "MPOL_FAST") }),
        BadConfig(
            #"config.json: linux.memoryPolicy.nodes: invalid node list: no members found in set ",,""#,
            withLinux { $0.memoryPolicy = Spec.MemoryPolicy(mode: "MPOL_BIND", nodes: ",,") }),
        BadConfig(
            "config.json: linux.memoryPolicy.nodes: invalid node list: values larger than 65536 are not supported",
            withLinux { $0.memoryPolicy = Spec.MemoryPolicy(mode: "MPOL_BIND", nodes: "0-65537") }),
        BadConfig(
            #"config.json: linux.memoryPolicy.flags[0]: invalid memory policy flag "MPOL_F_X""#,
            withLinux { $0.memoryPolicy = Spec.MemoryPolicy(mode: "MPOL_BIND", nodes: "0", flags: ["MPOL_F_X"]) }),
        BadConfig(
            "config.json: linux.memoryPolicy.nodes: memory policy mode MPOL_LOCAL requires 0 nodes but got 2",
            withLinux { $0.memoryPolicy = Spec.MemoryPolicy(mode: "MPOL_LOCAL", nodes: "0-1") }),
        BadConfig(
            "config.json: linux.memoryPolicy.nodes: memory policy mode MPOL_BIND requires at least one node but got 0",
            withLinux { $0.memoryPolicy = Spec.MemoryPolicy(mode: "MPOL_BIND") }),
        BadConfig(
            #"config.json: linux.personality.domain: invalid personality domain "LINUX64""#,
            withLinux { $0.personality = Spec.Personality(domain: "LINUX64") }),
        BadConfig(
            #"config.json: linux.intelRdt.closID: invalid CLOS ID "a/b""#,
            withLinux { $0.intelRdt = Spec.IntelRdt(closID: "a/b") }),
    ]

    @Test("each broken config gives its exact one-line error", arguments: badConfigs)
    func rejects(bad: BadConfig) throws {
        var spec = validSpec()
        bad.change(&spec)
        // Through JSON, as the runtime sees it...
        #expect(decodeFailure(spec.marshalIndented()) == bad.expected)
        // ...and directly, for specs built in code.
        let error = try #require(throws: SpecError.self) { try spec.validate() }
        #expect(error.description == bad.expected)
    }

    static let goodChanges: [BadConfig] = [
        BadConfig("the default spec") { _ in },
        BadConfig("no process (only create/run need one)") { $0.process = nil },
        BadConfig("relative mount destination (deprecated, as in runc)") {
            $0.mounts?.append(Spec.Mount(destination: "data", source: "/d", options: ["bind"]))
        },
        BadConfig(
            "IPC, UTS, net and user sysctls with their namespaces",
            withLinux {
                $0.namespaces?.append(Spec.Namespace(type: .user, path: "/proc/1/ns/user"))
                $0.sysctl = [
                    "kernel.msgmax": "1", "fs.mqueue.queues_max": "1", "net/ipv4/conf/eno2.100/rp_filter": "1",
                    "kernel.domainname": "d", "user.max_user_namespaces": "1",
                ]
            }),
        BadConfig(
            "net sysctls with a joined netns (the runtime checks it is not the host's)",
            withLinux {
                $0.namespaces = $0.namespaces?.map {
                    $0.type == .network ? Spec.Namespace(type: .network, path: "/run/netns/n") : $0
                }
                $0.sysctl = ["net.ipv4.ip_forward": "1"]
            }),
        BadConfig(
            "user namespace joined by path without mappings",
            withLinux(adding(Spec.Namespace(type: .user, path: "/proc/1/ns/user")))),
        BadConfig("idmap mount taking the container's mappings") {
            $0 = $0.rootless(uid: 1000, gid: 1000)
            $0.mounts?.append(Spec.Mount(destination: "/x", source: "/y", options: ["rbind", "ridmap"]))
        },
        BadConfig("idmap mount with a joined user namespace") {
            $0.linux?.namespaces?.append(Spec.Namespace(type: .user, path: "/proc/1/ns/user"))
            $0.mounts?.append(Spec.Mount(destination: "/x", source: "/y", options: ["bind", "idmap"]))
        },
        BadConfig("bind mount with only runtime-interpreted options") {
            $0.mounts?.append(
                Spec.Mount(
                    destination: "/x", source: "/y",
                    options: ["rbind", "rro", "nosuid", "rslave", "tmpcopyup", "nosymfollow"]))
        },
        BadConfig(
            "time namespace with offsets",
            withLinux {
                $0.namespaces?.append(Spec.Namespace(type: .time))
                $0.timeOffsets = [
                    "monotonic": Spec.TimeOffset(secs: -5, nanosecs: 999_999_999), "boottime": Spec.TimeOffset(),
                ]
            }),
        BadConfig(
            "seccomp with no default action and no rules is off, whatever else it says",
            withLinux {
                $0.seccomp = Spec.Seccomp(defaultAction: "", flags: ["bogus"])
            }),
        BadConfig(
            "a full seccomp profile",
            withLinux {
                $0.seccomp = Spec.Seccomp(
                    defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 38,
                    architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X32"],
                    flags: ["SECCOMP_FILTER_FLAG_SPEC_ALLOW"], listenerPath: "/run/s.sock",
                    syscalls: [
                        Spec.Syscall(names: ["read", "write"], action: "SCMP_ACT_ALLOW"),
                        Spec.Syscall(names: ["mount"], action: "SCMP_ACT_NOTIFY"),
                        Spec.Syscall(
                            names: ["personality"], action: "SCMP_ACT_ALLOW",
                            args: [Spec.SeccompArg(index: 5, value: 8, valueTwo: 0, op: "SCMP_CMP_EQ")]),
                    ])
            }),
        BadConfig(
            "devices of every type",
            withLinux {
                $0.devices = [
                    Spec.Device(path: "/dev/c", type: "c", major: 1, minor: 3),
                    Spec.Device(path: "/dev/b", type: "b", major: 8),
                    Spec.Device(path: "/dev/u", type: "u", major: 4, minor: 1), Spec.Device(path: "/dev/p", type: "p"),
                ]
                $0.resources?.devices?.append(contentsOf: [
                    Spec.DeviceCgroup(allow: true, type: "a", access: "m"),
                    Spec.DeviceCgroup(allow: true, type: "", access: "rw"),
                ])
            }),
        BadConfig("every rootfs propagation", withLinux { $0.rootfsPropagation = "runbindable" }),
        BadConfig(
            "scheduler, I/O priority, affinity and OOM score in range",
            withProcess {
                $0.scheduler = Spec.Scheduler(policy: "SCHED_DEADLINE", runtime: 1, deadline: 2, period: 3)
                $0.ioPriority = Spec.IOPriority(class: "IOPRIO_CLASS_IDLE", priority: 7)
                $0.execCPUAffinity = Spec.CPUAffinity(initial: " 0-1, ,3 ", final: "")
                $0.oomScoreAdj = -1000
            }),
        BadConfig(
            "memory policies with the node counts they need",
            withLinux {
                $0.memoryPolicy = Spec.MemoryPolicy(mode: "MPOL_PREFERRED", nodes: "")
            }),
        BadConfig(
            "network devices with a network namespace",
            withLinux {
                $0.netDevices = ["eth1": Spec.NetDevice(name: "net1"), "enp0s31f6": Spec.NetDevice()]
            }),
        BadConfig(
            "personality and the default CLOS",
            withLinux {
                $0.personality = Spec.Personality(domain: "LINUX")
                $0.intelRdt = Spec.IntelRdt(closID: "/")
            }),
        BadConfig("hooks with absolute paths and positive timeouts") {
            $0.hooks = Spec.Hooks(prestart: [Spec.Hook(path: "/bin/true", timeout: 1)], poststop: [])
        },
    ]

    @Test("configs runc accepts are accepted", arguments: goodChanges)
    func accepts(good: BadConfig) throws {
        var spec = validSpec()
        good.change(&spec)
        #expect(decodeFailure(spec.marshalIndented()) == nil)
        #expect(throws: Never.self) { try spec.validate() }
    }

    @Test("create and run need a process")
    func runNeedsProcess() throws {
        var spec = validSpec()
        spec.process = nil
        let error = try #require(throws: SpecError.self) { try spec.validateForRun(file: "/b/config.json") }
        #expect(error.description == "/b/config.json: process: must be specified")
    }

    @Test("the file name given to decode appears in validation errors")
    func fileName() {
        var spec = validSpec()
        spec.ociVersion = ""
        #expect(
            decodeFailure(spec.marshalIndented(), file: "/run/b/config.json")
                == "/run/b/config.json: ociVersion: must not be empty")
    }

    @Test("CPU lists parse like runc's")
    func cpuLists() throws {
        #expect(try CPUList(parsing: "0-3,7").ranges == [0...3, 7...7])
        #expect(try CPUList(parsing: "1,1,0-1").count == 2)
        #expect(try CPUList(parsing: " 5 ,,").contains(5))
        #expect(throws: CPUListError.self) { try CPUList(parsing: "") }
        #expect(throws: CPUListError.self) { try CPUList(parsing: "-1") }
        #expect(throws: CPUListError.self) { try CPUList(parsing: "+1") }
        #expect(throws: CPUListError.self) { try CPUList(parsing: "1-") }
    }
}
