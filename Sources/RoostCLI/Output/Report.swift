import Glibc

/// The one place errors are rendered: a single line on stderr, `roost: <what>: <detail>`.
enum Report {
    static func fail(_ message: String, code: Int32) -> Never {
        error(message)
        exit(code)
    }

    static func error(_ message: String) {
        Log.line("error", message)
        let line = "roost: " + message + "\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
    }
}
