import RoostSpec

/// The one-line error for a config, or nil when it decodes.
func decodeFailure(_ json: String, file: String = "config.json") -> String? {
    do {
        _ = try Spec.decode(Array(json.utf8), file: file)
        return nil
    } catch {
        return error.description
    }
}

/// A small valid config with room for extra top-level members and for
/// replacing the process and linux objects.
func config(
    process: String = #"{"user": {"uid": 0, "gid": 0}, "args": ["sh"], "cwd": "/"}"#,
    linux: String = #"{"namespaces": [{"type": "pid"}, {"type": "mount"}]}"#,
    extra: String = ""
) -> String {
    """
    {
        "ociVersion": "1.3.0",
        "root": {"path": "rootfs"},
        "process": \(process),
        "linux": \(linux)\(extra.isEmpty ? "" : ",\n    " + extra)
    }
    """
}

/// A spec that passes validation, to be broken one field at a time.
func validSpec() -> Spec {
    Spec.runcDefault(cgroupNamespace: true)
}
