/// Why a config cannot be used, and where in it.
///
/// `description` is a single line in the shape users grep for:
///
///     config.json: process.args: must not be empty
///     config.json: linux.namespaces[2].type: unknown namespace type "foo"
///     config.json:12:5: invalid JSON: expected ',' or '}' after object member
///
/// User-supplied text inside `problem` and `path` is quoted and escaped, so a
/// newline in a config value cannot split the message.
public struct SpecError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file name shown first, "config.json" unless the caller says otherwise.
    public var file: String
    /// The JSON path of the offending value, e.g. `linux.namespaces[2].type`;
    /// empty for the document itself and for syntax errors.
    public var path: String
    /// What is wrong, e.g. `must not be empty`.
    public var problem: String
    /// Set for syntax errors only.
    public var line: Int?
    public var column: Int?

    public init(file: String = "config.json", path: String, problem: String, line: Int? = nil, column: Int? = nil) {
        self.file = file
        self.path = path
        self.problem = problem
        self.line = line
        self.column = column
    }

    public var description: String {
        if let line, let column {
            return "\(file):\(line):\(column): \(problem)"
        }
        if path.isEmpty {
            return "\(file): \(problem)"
        }
        return "\(file): \(path): \(problem)"
    }
}

extension SpecError {
    init(_ path: String, _ problem: String) {
        self.init(file: "", path: path, problem: problem)
    }

    init(syntax error: JSONParseError, file: String) {
        self.init(
            file: file, path: "", problem: "invalid JSON: \(error.message)", line: error.line, column: error.column)
    }

    /// The error seen from one level up: decoders catch and re-throw with the
    /// field they were decoding, so the path costs nothing unless there is an error.
    func under(field: String) -> SpecError {
        // Syntax errors point at a line and column, not a path.
        if line != nil { return self }
        var copy = self
        if path.isEmpty {
            copy.path = field
        } else if path.hasPrefix("[") {
            copy.path = field + path
        } else {
            copy.path = field + "." + path
        }
        return copy
    }

    func under(index: Int) -> SpecError {
        under(subscript: "[\(index)]")
    }

    func under(key: String) -> SpecError {
        under(subscript: "[\(quoted(key))]")
    }

    private func under(subscript component: String) -> SpecError {
        if line != nil { return self }
        var copy = self
        if path.isEmpty || path.hasPrefix("[") {
            copy.path = component + path
        } else {
            copy.path = component + "." + path
        }
        return copy
    }

    func withFile(_ file: String) -> SpecError {
        var copy = self
        copy.file = file
        return copy
    }
}

/// Quotes like Go's %q for the characters that matter in one-line messages.
func quoted(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\u{2028}" || scalar == "\u{2029}":
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
