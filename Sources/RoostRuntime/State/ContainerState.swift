import Glibc
import RoostLinux
import RoostSpec

/// What `state.json` records: the OCI state plus runc's extra fields, and the init's start time so
/// a recycled pid is never taken for the container's init.
struct ContainerState {
    var id: String
    var pid: Int32
    var pidStartTime: UInt64
    var bundle: String
    var rootfs: String
    var created: String
    var owner: String
    var annotations: [(key: String, value: String)]

    var json: JSONValue {
        .object([
            (key: "ociVersion", value: .string("1.3.0")),
            (key: "id", value: .string(id)),
            (key: "pid", value: .number(String(pid))),
            (key: "pidStartTime", value: .number(String(pidStartTime))),
            (key: "bundle", value: .string(bundle)),
            (key: "rootfs", value: .string(rootfs)),
            (key: "created", value: .string(created)),
            (key: "owner", value: .string(owner)),
            (key: "annotations", value: .object(annotations.map { (key: $0.key, value: .string($0.value)) })),
        ])
    }
}

/// RFC 3339 UTC time with nanoseconds, as runc's `created` field (Go's time.Time JSON).
func rfc3339Now() -> String {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    var t = ts.tv_sec
    var tmv = tm()
    gmtime_r(&t, &tmv)
    func pad(_ v: Int32, _ n: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s }
    var nanos = String(ts.tv_nsec)
    nanos = String(repeating: "0", count: 9 - nanos.count) + nanos
    while nanos.hasSuffix("0") { nanos.removeLast() }
    let frac = nanos.isEmpty ? "" : "." + nanos
    return "\(pad(tmv.tm_year + 1900, 4))-\(pad(tmv.tm_mon + 1, 2))-\(pad(tmv.tm_mday, 2))T\(pad(tmv.tm_hour, 2)):\(pad(tmv.tm_min, 2)):\(pad(tmv.tm_sec, 2))\(frac)Z"
}
