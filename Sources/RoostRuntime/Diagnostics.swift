/// Where the runtime's warnings and debug lines go; the CLI points these at stderr or --log.
public enum Diagnostics {
    nonisolated(unsafe) public static var warn: (String) -> Void = { _ in }
    nonisolated(unsafe) public static var debug: (String) -> Void = { _ in }
}
