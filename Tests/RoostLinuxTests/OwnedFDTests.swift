import Glibc
import RoostLinux
import Testing

/// A descriptor no other test can have: one end of a new pipe, whose inode is its own.
private func uniqueFD() -> FileDescriptor {
    var ends: [Int32] = [-1, -1]
    precondition(pipe(&ends) == 0)
    close(ends[1])
    return FileDescriptor(adopting: ends[0])
}

private func inode(_ fd: Int32) -> ino_t? {
    var st = stat()
    return fstat(fd, &st) == 0 ? st.st_ino : nil
}

/// Whether `fd` still is the descriptor of `ino` (tests run in parallel: a closed number may be
/// reused at once by another, for another file).
private func stillOpen(_ fd: Int32, _ ino: ino_t) -> Bool { inode(fd) == ino }

/// Owned descriptors close exactly once: when they go, or when closed early.
@Suite("owned descriptors")
struct OwnedFDTests {
    @Test("a FileDescriptor closes when it goes; after an early close it has nothing left to close")
    func fileDescriptor() {
        var raw: Int32 = -1, ino: ino_t = 0
        do {
            let fd = uniqueFD()
            (raw, ino) = (fd.raw, inode(fd.raw)!)
            #expect(stillOpen(raw, ino))
        }
        #expect(!stillOpen(raw, ino))

        var fd = uniqueFD()
        raw = fd.raw
        let i = inode(raw)!
        fd.close()
        #expect(fd.raw == -1 && !stillOpen(raw, i))
        fd.close()
        #expect(fd.raw == -1)
    }

    @Test("FileDescriptors closes every one it holds when it goes, and one early on request")
    func fileDescriptors() {
        var held: [(Int32, ino_t)] = []
        do {
            var list = FileDescriptors()
            for _ in 0..<3 {
                let fd = uniqueFD()
                held.append((fd.raw, inode(fd.raw)!))
                list.append(fd)
            }
            list.close(1)
            #expect(list.raws[1] == -1 && !stillOpen(held[1].0, held[1].1))
            #expect(stillOpen(held[0].0, held[0].1) && stillOpen(held[2].0, held[2].1))
        }
        #expect(held.allSatisfy { !stillOpen($0.0, $0.1) })
    }

    @Test("a SyncSocket end closes at close(), which the peer reads as end of stream, and when it goes")
    func syncSocket() throws {
        let (a, b) = try SyncSocket.pair()
        let (raw, ino) = (a.raw, inode(a.raw)!)
        a.close()
        #expect(a.raw == -1 && !stillOpen(raw, ino))
        #expect(try b.receive() == nil)

        var ends: [(Int32, ino_t)] = []
        do {
            let (c, d) = try SyncSocket.pair()
            ends = [(c.raw, inode(c.raw)!), (d.raw, inode(d.raw)!)]
        }
        #expect(ends.allSatisfy { !stillOpen($0.0, $0.1) })
    }

    @Test("SignalFD reports a blocked signal sent to this thread, then nothing")
    func signalFD() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGUSR2)
        var old = sigset_t()
        pthread_sigmask(SIG_BLOCK, &set, &old)
        defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
        let signals = SignalFD()
        #expect(signals.raw >= 0)
        #expect(signals.next() == nil)
        pthread_kill(pthread_self(), SIGUSR2)
        #expect(signals.next() == SIGUSR2)
        #expect(signals.next() == nil)
    }
}
