import Glibc

/// A failed system call: which call, on what, and the errno. Rendered as one line in the style
/// `mount proc on /proc: Operation not permitted`.
public struct SyscallError: Error, CustomStringConvertible, Sendable {
    public let call: String
    public let object: String?
    public let errno: Int32

    public init(_ call: String, _ object: String? = nil, errno: Int32 = Glibc.errno) {
        self.call = call
        self.object = object
        self.errno = errno
    }

    public var description: String {
        let what = object.map { "\(call) \($0)" } ?? call
        return "\(what): \(String(cString: strerror(errno)))"
    }
}

/// Runs a call that returns -1 and sets errno on failure, retrying EINTR, and throws SyscallError.
@discardableResult
@inline(__always)
public func sys<T: FixedWidthInteger>(
    _ call: @autoclosure () -> String, _ object: @autoclosure () -> String? = nil, _ body: () -> T
) throws(SyscallError) -> T {
    while true {
        let r = body()
        if r != -1 { return r }
        let e = errno
        if e == EINTR { continue }
        throw SyscallError(call(), object(), errno: e)
    }
}
