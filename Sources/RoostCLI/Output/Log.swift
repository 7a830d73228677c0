import Glibc
import RoostRuntime
import RoostSpec

/// runc's log: `--log FILE` (default: none, messages go to stderr only) in `--log-format text`
/// (logrus: `time="..." level=error msg="..."`) or `json` (`{"level":"error","msg":"...","time":"..."}`,
/// the lines containerd's shim reads back). Errors always also go to stderr as one line.
enum Log {
    nonisolated(unsafe) static var fd: Int32 = -1
    nonisolated(unsafe) static var json = false
    nonisolated(unsafe) static var debugEnabled = false

    static func configure(path: String?, format: String?, debug: Bool) throws {
        switch format ?? "text" {
        case "text": json = false
        case "json": json = true
        case let f: throw UsageError(description: "--log-format: unknown format \"\(f)\" (want text or json)")
        }
        debugEnabled = debug
        if let path, !path.isEmpty {
            fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            if fd < 0 { throw UsageError(description: "--log \(path): \(String(cString: strerror(errno)))") }
        }
        Diagnostics.warn = { message in
            Log.line("warning", message)
            if Log.fd < 0 { Report.error("warning: " + message) }
        }
        // As runc (logrus's default output): --debug without --log writes its lines to stderr.
        Diagnostics.debug = { message in if Log.debugEnabled { Log.line("debug", message, to: Log.fd >= 0 ? Log.fd : 2) } }
    }

    static func line(_ level: String, _ message: String, to out: Int32 = Log.fd) {
        guard out >= 0 else { return }
        let time = timestamp()
        var text: String
        if json {
            let fields: [(key: String, value: JSONValue)] = [
                (key: "level", value: .string(level)), (key: "msg", value: .string(message)), (key: "time", value: .string(time)),
            ]
            text = JSONValue.object(fields).serialized(escapeHTML: false)
        } else {
            text = "time=\"\(time)\" level=\(level) msg=\(JSONValue.string(message).serialized(escapeHTML: false))"
        }
        text += "\n"
        text.withUTF8 { _ = write(out, $0.baseAddress, $0.count) }
    }

    /// RFC 3339 in UTC, seconds precision (logrus's default time format).
    static func timestamp() -> String {
        var t = time(nil)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        func p(_ v: Int32, _ n: Int = 2) -> String { let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s }
        return "\(p(tmv.tm_year + 1900, 4))-\(p(tmv.tm_mon + 1))-\(p(tmv.tm_mday))T\(p(tmv.tm_hour)):\(p(tmv.tm_min)):\(p(tmv.tm_sec))Z"
    }
}
