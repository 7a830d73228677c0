import RoostSpec
import Testing

@Suite("Spec decoding")
struct SpecDecodingTests {
    @Test("property names follow the JSON fields")
    func fieldAccess() throws {
        let json = config(
            process: """
                {
                    "terminal": true,
                    "consoleSize": {"height": 24, "width": 80},
                    "user": {"uid": 1000, "gid": 1001, "umask": 18, "additionalGids": [5, 6], "username": "u"},
                    "args": ["/bin/app", "--flag"],
                    "env": ["A=1"],
                    "cwd": "/srv",
                    "capabilities": {"bounding": ["CAP_KILL"], "ambient": []},
                    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 4096, "soft": 1024}],
                    "noNewPrivileges": true,
                    "apparmorProfile": "p",
                    "oomScoreAdj": -500,
                    "scheduler": {"policy": "SCHED_FIFO", "priority": 10, "flags": ["SCHED_FLAG_RESET_ON_FORK"]},
                    "selinuxLabel": "l",
                    "ioPriority": {"class": "IOPRIO_CLASS_BE", "priority": 4},
                    "execCPUAffinity": {"initial": "0-1", "final": "3"}
                }
                """,
            linux: """
                {
                    "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
                    "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
                    "sysctl": {"net.ipv4.ip_forward": "1", "kernel.shmmax": "1024"},
                    "resources": {
                        "devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rw"}],
                        "memory": {"limit": 9223372036854775807, "reservation": 1, "swap": -1, "kernel": 2, "kernelTCP": 3,
                                   "swappiness": 60, "disableOOMKiller": false, "useHierarchy": true, "checkBeforeUpdate": true},
                        "cpu": {"shares": 1024, "quota": -1, "burst": 5, "period": 100000, "realtimeRuntime": 950000,
                                "realtimePeriod": 1000000, "cpus": "0-3", "mems": "0", "idle": 1},
                        "pids": {"limit": -1},
                        "blockIO": {"weight": 500, "leafWeight": 300,
                                    "weightDevice": [{"major": 8, "minor": 0, "weight": 600}],
                                    "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1048576}],
                                    "throttleWriteBpsDevice": [], "throttleReadIOPSDevice": [{"major": 8, "minor": 16, "rate": 100}],
                                    "throttleWriteIOPSDevice": [{"major": 8, "minor": 16, "rate": 200}]},
                        "hugepageLimits": [{"pageSize": "2MB", "limit": 209715200}],
                        "network": {"classID": 1048577, "priorities": [{"name": "eth0", "priority": 500}]},
                        "rdma": {"mlx5_1": {"hcaHandles": 3, "hcaObjects": 10000}},
                        "unified": {"memory.high": "max", "io.weight": "default 100"}
                    },
                    "cgroupsPath": "/myRuntime/myContainer",
                    "namespaces": [{"type": "pid"}, {"type": "network", "path": "/var/run/netns/x"}, {"type": "ipc"},
                                   {"type": "uts"}, {"type": "mount"}, {"type": "user"}, {"type": "cgroup"}, {"type": "time"}],
                    "timeOffsets": {"monotonic": {"secs": 172800, "nanosecs": 0}, "boottime": {"secs": -1}},
                    "devices": [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0},
                                {"path": "/dev/pipe", "type": "p"}],
                    "netDevices": {"eth1": {"name": "net1"}, "eth2": {}},
                    "seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "architectures": ["SCMP_ARCH_X86_64"],
                                "flags": ["SECCOMP_FILTER_FLAG_LOG"], "listenerPath": "/run/agent.sock", "listenerMetadata": "m",
                                "syscalls": [{"names": ["getcwd", "chmod"], "action": "SCMP_ACT_ALLOW", "errnoRet": 2,
                                              "args": [{"index": 1, "value": 2, "valueTwo": 3, "op": "SCMP_CMP_MASKED_EQ"}]}]},
                    "rootfsPropagation": "rslave",
                    "maskedPaths": ["/proc/kcore"],
                    "readonlyPaths": ["/proc/sys"],
                    "mountLabel": "system_u:object_r:svirt_sandbox_file_t:s0",
                    "intelRdt": {"closID": "guaranteed_group", "schemata": ["L3:0=ff"], "l3CacheSchema": "L3:0=7f0",
                                 "memBwSchema": "MB:0=20", "enableMonitoring": true},
                    "memoryPolicy": {"mode": "MPOL_INTERLEAVE", "nodes": "0-3,7", "flags": ["MPOL_F_STATIC_NODES"]},
                    "personality": {"domain": "LINUX32", "flags": []}
                }
                """,
            extra: """
                "hostname": "box",
                "domainname": "example.com",
                "mounts": [{"destination": "/data", "type": "none", "source": "/srv/data", "options": ["rbind", "ro", "idmap"],
                            "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
                            "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}],
                "hooks": {"prestart": [{"path": "/bin/pre"}],
                          "createRuntime": [{"path": "/usr/bin/hook", "args": ["hook", "create"], "env": ["X=1"], "timeout": 5}],
                          "createContainer": [], "startContainer": [{"path": "/s"}], "poststart": [{"path": "/p"}],
                          "poststop": [{"path": "/q"}]},
                "annotations": {"z.last": "1", "a.first": "2"},
                "windows": {"layerFolders": ["C:\\\\l"]},
                "vm": {"hypervisor": {"path": "/hv"}}
                """)
        let spec = try Spec.decode(Array(json.utf8))

        let process = try #require(spec.process)
        #expect(process.terminal == true)
        #expect(process.consoleSize == Spec.Box(height: 24, width: 80))
        #expect(process.user.uid == 1000)
        #expect(process.user.gid == 1001)
        #expect(process.user.umask == 18)
        #expect(process.user.additionalGids == [5, 6])
        #expect(process.user.username == "u")
        #expect(process.args == ["/bin/app", "--flag"])
        #expect(process.cwd == "/srv")
        #expect(process.capabilities?.bounding == ["CAP_KILL"])
        #expect(process.capabilities?.ambient == [])
        #expect(process.capabilities?.effective == nil)
        #expect(process.rlimits == [Spec.Rlimit(type: "RLIMIT_NOFILE", hard: 4096, soft: 1024)])
        #expect(process.oomScoreAdj == -500)
        #expect(process.scheduler?.priority == 10)
        #expect(process.ioPriority?.class == "IOPRIO_CLASS_BE")
        #expect(process.execCPUAffinity?.final == "3")

        #expect(spec.hostname == "box")
        #expect(spec.domainname == "example.com")
        let mount = try #require(spec.mounts?.first)
        #expect(mount.destination == "/data")
        #expect(mount.type == "none")
        #expect(mount.source == "/srv/data")
        #expect(mount.options == ["rbind", "ro", "idmap"])
        #expect(mount.uidMappings == [Spec.IDMapping(containerID: 0, hostID: 1000, size: 1)])
        #expect(
            spec.hooks?.createRuntime?.first
                == Spec.Hook(path: "/usr/bin/hook", args: ["hook", "create"], env: ["X=1"], timeout: 5))
        #expect(spec.hooks?.createContainer == [])
        #expect(spec.hooks?.prestart?.count == 1)
        #expect(spec.annotations?.keys == ["z.last", "a.first"])
        #expect(spec.annotations?["a.first"] == "2")
        #expect(spec.windows?["layerFolders"] == .array([.string("C:\\l")]))
        #expect(spec.vm != nil)

        let linux = try #require(spec.linux)
        #expect(linux.namespaces?.map(\.type) == [.pid, .network, .ipc, .uts, .mount, .user, .cgroup, .time])
        #expect(linux.namespace(.network)?.path == "/var/run/netns/x")
        #expect(linux.uidMappings?.first?.hostID == 100000)
        #expect(linux.gidMappings?.first?.size == 65536)
        #expect(linux.sysctl?.keys == ["net.ipv4.ip_forward", "kernel.shmmax"])
        let resources = try #require(linux.resources)
        #expect(resources.memory?.limit == Int64.max)
        #expect(resources.memory?.swap == -1)
        #expect(resources.memory?.disableOOMKiller == false)
        #expect(resources.cpu?.quota == -1)
        #expect(resources.cpu?.cpus == "0-3")
        #expect(resources.pids?.limit == -1)
        #expect(resources.blockIO?.weightDevice?.first?.weight == 600)
        #expect(resources.blockIO?.weightDevice?.first?.leafWeight == nil)
        #expect(resources.blockIO?.throttleWriteBpsDevice == [])
        #expect(resources.hugepageLimits?.first?.pageSize == "2MB")
        #expect(resources.network?.priorities?.first?.name == "eth0")
        #expect(resources.rdma?["mlx5_1"]?.hcaObjects == 10000)
        #expect(resources.unified?["io.weight"] == "default 100")
        #expect(resources.devices?.last == Spec.DeviceCgroup(allow: true, type: "c", major: 1, minor: 3, access: "rw"))
        #expect(linux.timeOffsets?["boottime"]?.secs == -1)
        #expect(linux.devices?.last == Spec.Device(path: "/dev/pipe", type: "p"))
        #expect(linux.devices?.first?.fileMode == 438)
        #expect(linux.netDevices?["eth1"]?.name == "net1")
        #expect(linux.netDevices?["eth2"]?.name == nil)
        let seccomp = try #require(linux.seccomp)
        #expect(seccomp.defaultErrnoRet == 1)
        #expect(seccomp.syscalls?.first?.names == ["getcwd", "chmod"])
        #expect(
            seccomp.syscalls?.first?.args?.first
                == Spec.SeccompArg(index: 1, value: 2, valueTwo: 3, op: "SCMP_CMP_MASKED_EQ"))
        #expect(linux.rootfsPropagation == "rslave")
        #expect(linux.intelRdt?.enableMonitoring == true)
        #expect(linux.memoryPolicy?.nodes == "0-3,7")
        #expect(linux.personality == Spec.Personality(domain: "LINUX32", flags: []))

        // Everything decoded re-encodes and decodes to the same value.
        let again = try Spec.decode(Array(spec.marshalCompact().utf8))
        #expect(again == spec)
        #expect(try Spec.decode(Array(spec.marshalIndented().utf8)) == spec)
    }

    @Test("absent and empty stay distinct through decode and encode")
    func absentVersusEmpty() throws {
        let empty = try Spec.decode(
            Array(config(extra: #""mounts": [], "annotations": {}, "hooks": {}, "hostname": """#).utf8))
        #expect(empty.mounts == [])
        #expect(empty.annotations == [:])
        #expect(empty.hooks == Spec.Hooks())
        #expect(empty.hostname == "")
        #expect(empty.process?.env == nil)
        let compact = empty.marshalCompact()
        #expect(compact.contains(#""mounts":[]"#))
        #expect(compact.contains(#""annotations":{}"#))
        #expect(compact.contains(#""hooks":{}"#))
        #expect(compact.contains(#""hostname":"""#))

        let absent = try Spec.decode(Array(config().utf8))
        #expect(absent.mounts == nil)
        #expect(absent.annotations == nil)
        #expect(absent.hooks == nil)
        #expect(absent.hostname == nil)
        #expect(!absent.marshalCompact().contains("mounts"))
    }

    @Test("null means absent, as in Go")
    func nullIsAbsent() throws {
        let spec = try Spec.decode(
            Array(config(extra: #""mounts": null, "hostname": null, "annotations": null"#).utf8))
        #expect(spec.mounts == nil)
        #expect(spec.hostname == nil)
        #expect(spec.annotations == nil)
    }

    @Test("unknown fields are ignored at every level, as runc does")
    func unknownFields() throws {
        let json = config(
            process: #"{"user": {"uid": 1, "gid": 2, "future": [1]}, "args": ["sh"], "cwd": "/", "x-vendor": {}}"#,
            linux: #"{"namespaces": [{"type": "pid", "extra": true}, {"type": "mount"}], "newThing": 1}"#,
            extra: #""somethingNew": {"deep": [null]}"#)
        let spec = try Spec.decode(Array(json.utf8))
        #expect(spec.process?.user == Spec.User(uid: 1, gid: 2))
        #expect(!spec.marshalCompact().contains("somethingNew"))
    }

    @Test("keys match case-insensitively when nothing matches exactly, as in Go")
    func caseInsensitiveKeys() throws {
        let json = """
            {"OCIVERSION": "1.3.0", "Root": {"PATH": "rootfs"}, "process": {"User": {"UID": 7}, "Args": ["sh"], "cwd": "/"},
             "Linux": {"Namespaces": [{"Type": "pid"}, {"type": "mount"}]}}
            """
        let spec = try Spec.decode(Array(json.utf8))
        #expect(spec.ociVersion == "1.3.0")
        #expect(spec.root?.path == "rootfs")
        #expect(spec.process?.user.uid == 7)
        #expect(spec.linux?.namespaces?.count == 2)
        // Go's folding also maps the long s (U+017F) to s and the Kelvin sign to k.
        let folded = try Spec.decode(
            Array(
                config(
                    linux: "{\"namespaces\": [{\"type\": \"uts\"}], \"mas\u{212A}edPaths\": []}",
                    extra: "\"ho\u{017F}tname\": \"h\""
                ).utf8))
        #expect(folded.hostname == "h")
        #expect(folded.linux?.maskedPaths == [])
    }

    @Test("repeated keys: the last one wins")
    func duplicateKeys() throws {
        let json = config(
            process: #"{"user": {"uid": 1, "uid": 2}, "args": ["a"], "args": ["b"], "cwd": "/"}"#,
            extra: #""annotations": {"k": "1", "j": "x", "k": "2"}"#)
        let spec = try Spec.decode(Array(json.utf8))
        #expect(spec.process?.user.uid == 2)
        #expect(spec.process?.args == ["b"])
        #expect(spec.annotations?.keys == ["k", "j"])
        #expect(spec.annotations?["k"] == "2")
    }

    @Test(
        "type and range errors name the field and what was expected",
        arguments: [
            (
                config(process: #"{"user": {"uid": "0"}, "args": ["sh"], "cwd": "/"}"#),
                "config.json: process.user.uid: expected an unsigned 32-bit integer, got string"
            ),
            (
                config(process: #"{"user": {"uid": -1}, "args": ["sh"], "cwd": "/"}"#),
                "config.json: process.user.uid: expected an unsigned 32-bit integer, got -1"
            ),
            (
                config(process: #"{"user": {"gid": 4294967296}, "args": ["sh"], "cwd": "/"}"#),
                "config.json: process.user.gid: expected an unsigned 32-bit integer, got 4294967296"
            ),
            (
                config(process: #"{"user": {"uid": 1.0}, "args": ["sh"], "cwd": "/"}"#),
                "config.json: process.user.uid: expected an unsigned 32-bit integer, got 1.0"
            ),
            (
                config(process: #"{"user": {"uid": 1e3}, "args": ["sh"], "cwd": "/"}"#),
                "config.json: process.user.uid: expected an unsigned 32-bit integer, got 1e3"
            ),
            (
                config(process: #"{"args": ["sh", null], "cwd": "/"}"#),
                "config.json: process.args[1]: expected a string, got null"
            ),
            (
                config(process: #"{"args": "sh", "cwd": "/"}"#),
                "config.json: process.args: expected an array, got string"
            ),
            (
                config(process: #"{"args": ["sh"], "cwd": "/", "terminal": "yes"}"#),
                "config.json: process.terminal: expected a boolean, got string"
            ),
            (
                config(process: #"{"args": ["sh"], "cwd": "/", "rlimits": [{"type": "RLIMIT_CPU", "hard": -1}]}"#),
                "config.json: process.rlimits[0].hard: expected an unsigned 64-bit integer, got -1"
            ),
            (
                config(process: #"{"args": ["sh"], "cwd": "/", "oomScoreAdj": 9223372036854775808}"#),
                "config.json: process.oomScoreAdj: expected a signed 64-bit integer, got 9223372036854775808"
            ),
            (
                config(linux: #"{"resources": {"memory": {"limit": 9223372036854775808}}}"#),
                "config.json: linux.resources.memory.limit: expected a signed 64-bit integer, got 9223372036854775808"
            ),
            (
                config(linux: #"{"resources": {"blockIO": {"weight": 65536}}}"#),
                "config.json: linux.resources.blockIO.weight: expected an unsigned 16-bit integer, got 65536"
            ),
            (
                config(linux: #"{"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "foo"}]}"#),
                #"config.json: linux.namespaces[2].type: unknown namespace type "foo""#
            ),
            (
                config(linux: #"{"namespaces": [{"path": "/proc/1/ns/pid"}]}"#),
                "config.json: linux.namespaces[0].type: is required"
            ),
            (
                config(linux: #"{"devices": [{"path": "/dev/x", "type": "c", "minor": 1}]}"#),
                #"config.json: linux.devices[0].major: is required for device type "c""#
            ),
            (
                config(linux: #"{"sysctl": {"a\"b\nc": 1}}"#),
                #"config.json: linux.sysctl["a\"b\nc"]: expected a string, got number"#
            ),
            (
                config(extra: #""annotations": {"a.b": 1}"#),
                #"config.json: annotations["a.b"]: expected a string, got number"#
            ),
            (
                config(linux: #"{"timeOffsets": {"monotonic": {"secs": "1"}}}"#),
                #"config.json: linux.timeOffsets["monotonic"].secs: expected a signed 64-bit integer, got string"#
            ),
            (config(process: "[]"), "config.json: process: expected an object, got array"),
            ("[]", "config.json: expected an object, got array"),
            ("null", "config.json: config cannot be null"),
        ])
    func typeErrors(json: String, expected: String) {
        #expect(decodeFailure(json) == expected)
    }

    @Test("invalid JSON reports file, line and column")
    func syntaxError() throws {
        let json = "{\n  \"ociVersion\": \"1.3.0\",\n  \"root\": {\"path\": \"rootfs\"}\n  \"process\": {}\n}"
        #expect(decodeFailure(json) == "config.json:4:3: invalid JSON: expected ',' or '}' after object member")
        let error = try #require(throws: SpecError.self) { try Spec.decode(Array(json.utf8), file: "/b/config.json") }
        #expect(error.line == 4)
        #expect(error.column == 3)
        #expect(error.path == "")
        #expect(error.problem == "invalid JSON: expected ',' or '}' after object member")
        #expect(error.file == "/b/config.json")
    }

    @Test("SpecError exposes path and problem separately")
    func errorParts() throws {
        let error = try #require(throws: SpecError.self) {
            try Spec.decode(Array(config(process: #"{"args": [], "cwd": "/"}"#).utf8))
        }
        #expect(error.path == "process.args")
        #expect(error.problem == "must not be empty")
        #expect(error.description == "config.json: process.args: must not be empty")
    }

    @Test("platform sections other than linux are kept verbatim")
    func otherPlatforms() throws {
        let spec = try Spec.decode(
            Array(config(extra: #""solaris": {"milestone": "m"}, "zos": {}, "freebsd": [1]"#).utf8))
        #expect(spec.solaris == .object([(key: "milestone", value: .string("m"))]))
        #expect(spec.zos == .object([]))
        #expect(spec.freebsd == .array([.number("1")]))
        #expect(spec.marshalCompact().hasSuffix(#""solaris":{"milestone":"m"},"zos":{},"freebsd":[1]}"#))
    }

    @Test("an exec process.json decodes and validates on its own")
    func processFile() throws {
        let process = try Spec.Process.decode(Array(#"{"args": ["ls"], "cwd": "/tmp", "user": {"uid": 5}}"#.utf8))
        #expect(process.args == ["ls"])
        #expect(process.user.uid == 5)
        let error = try #require(throws: SpecError.self) {
            try Spec.Process.decode(Array(#"{"args": ["ls"], "cwd": "tmp"}"#.utf8))
        }
        #expect(error.description == "process.json: cwd: must be an absolute path")
        let syntax = try #require(throws: SpecError.self) { try Spec.Process.decode(Array("{".utf8)) }
        #expect(syntax.description == "process.json:1:2: invalid JSON: unexpected end of input, expected an object key")
    }

    @Test("OrderedMap keeps insertion order and replaces in place")
    func orderedMap() {
        var map: OrderedMap<String> = ["b": "1", "a": "2"]
        map["c"] = "3"
        map["b"] = "4"
        #expect(map.keys == ["b", "a", "c"])
        #expect(map.values == ["4", "2", "3"])
        map["a"] = nil
        #expect(map.map(\.key) == ["b", "c"])
        #expect(map != ["c": "3", "b": "4"])
    }
}

@Suite("Spec decoding straight from bytes")
struct SpecStreamingTests {
    @Test(
        "syntax errors anywhere, even in skipped fields, report line and column",
        arguments: [
            (
                #"{"ociVersion": "1.3.0", "process": {"args": [1 2]}}"#,
                "config.json:1:48: invalid JSON: expected ',' or ']' after array element"
            ),
            (
                #"{"unknown": [1,], "ociVersion": "1.3.0"}"#,
                "config.json:1:16: invalid JSON: expected a value, found ']'"
            ),
            (#"{"ociVersion": "1.3.0"} x"#, "config.json:1:25: invalid JSON: unexpected 'x' after the top-level value"),
            (
                #"{"ociVersion": "1.3.0""#,
                "config.json:1:23: invalid JSON: unexpected end of input, expected ',' or '}' after object member"
            ),
            (
                #"{"linux": {"sysctl": {"a": "b",}}}"#,
                "config.json:1:32: invalid JSON: expected a string as object key, found '}'"
            ),
            (#"{"hostname": "a\qb"}"#, #"config.json:1:16: invalid JSON: invalid escape '\q' in string"#),
            (#"{"root": {"readonly": tru}}"#, "config.json:1:23: invalid JSON: invalid literal, expected 'true'"),
            ("", "config.json:1:1: invalid JSON: unexpected end of input, expected a value"),
        ])
    func syntaxErrors(json: String, expected: String) {
        #expect(decodeFailure(json) == expected)
    }

    @Test("the nesting limit also applies inside ignored fields")
    func depthInUnknownField() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(decodeFailure(#"{"x": \#(deep)}"#)?.hasSuffix("invalid JSON: nesting deeper than 512 levels") == true)
    }

    @Test("decodeWithoutValidation checks types but not rules")
    func withoutValidation() throws {
        let spec = try Spec.decodeWithoutValidation(Array(#"{"process": {"args": [], "cwd": "rel"}}"#.utf8))
        #expect(spec.ociVersion == "")
        #expect(spec.process?.args == [])
        #expect(throws: SpecError.self) { try Spec.decodeWithoutValidation(Array(#"{"hostname": 1}"#.utf8)) }
    }

    @Test("decoding a parsed tree gives the same spec as decoding bytes")
    func fromTree() throws {
        let json = engineSizedConfig(syscalls: 5, mounts: 8, annotations: 2)
        let tree = try JSONValue.parse(json)
        #expect(try Spec.decode(tree) == Spec.decode(Array(json.utf8)))
        #expect(try Spec.decodeWithoutValidation(tree).mounts?.count == 8)
    }
}
