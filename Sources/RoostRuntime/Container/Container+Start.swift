import Glibc
import RoostLinux

extension Container {
    /// Releases a created container's init: opening the exec fifo for reading lets init's blocked
    /// open for writing return; the byte it writes says it passed the fifo (runc's protocol).
    /// The read end is non-blocking and polled, so an init that died is noticed, not waited on forever.
    static func release(_ directory: StateDirectory, pid: Int32) throws {
        let fd: FileDescriptor
        do { fd = try FileDescriptor.open(directory.fifo, O_RDONLY | O_NONBLOCK) } catch {
            if error.errno == ENOENT { throw RuntimeError.invalidState(id: directory.id, problem: "cannot start a container that is not created") }
            throw RuntimeError.syscall(error)
        }
        var pfd = pollfd(fd: fd.raw, events: Int16(POLLIN), revents: 0)
        while true {
            let r = poll(&pfd, 1, 200)
            if r > 0 {
                var byte: UInt8 = 0
                if read(fd.raw, &byte, 1) == 1 { break }
                if errno == EAGAIN { pfd.revents = 0; continue }
                // Writer closed without a byte: init died at the fifo.
                throw RuntimeError.invalidState(id: directory.id, problem: "init exited before it could start")
            }
            if r < 0 && errno != EINTR { throw RuntimeError.syscall(SyscallError("poll", directory.fifo)) }
            if kill(pid, 0) != 0 { throw RuntimeError.invalidState(id: directory.id, problem: "init exited before it could start") }
        }
        unlink(directory.fifo)
    }
}
