// roost-fuzz TARGET [libFuzzer flags] [corpus dirs]: libFuzzer over one of roost's parsers of
// untrusted bytes. Built by `make fuzz` with `--sanitize fuzzer --sanitize address` and
// -DROOST_FUZZER, where libFuzzer's main runs it; in any other build (as `swift build` makes it)
// it replays the files and directories it is given, so the targets always compile and a crash
// input can be re-run under a debugger.
//
//   spec    config.json and process.json: RoostSpec's decoder and validation
//   state   state.json: the state file reader
//   inroot  InRoot.resolve, against the kernel's RESOLVE_IN_ROOT in a tree of hostile symlinks
import Glibc

enum Fuzz {
    static let targets: [String: @Sendable (UnsafeRawBufferPointer) -> Void] = [
        "spec": SpecTarget.run,
        "state": StateTarget.run,
        "inroot": { InRootTarget.shared.run($0) },
    ]
    nonisolated(unsafe) static var selected: (@Sendable (UnsafeRawBufferPointer) -> Void)?

    /// Takes the target's name from argv[1].
    static func select(_ name: String?) -> String {
        guard let name, let target = targets[name] else {
            say("usage: roost-fuzz \(targets.keys.sorted().joined(separator: "|")) [libFuzzer flags] [corpus...]\n")
            exit(2)
        }
        selected = target
        return name
    }
}

#if ROOST_FUZZER
/// libFuzzer calls this before it reads its flags: argv[1], the target's name, is taken out. The
/// name is kept in ROOST_FUZZ_TARGET too, for the copies of itself libFuzzer runs without it
/// (-merge=1, -fork, -jobs).
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> Int32 {
    let args = argv.pointee
    if argc.pointee > 1, let first = args[1].map({ String(cString: $0) }), Fuzz.targets[first] != nil {
        setenv("ROOST_FUZZ_TARGET", first, 1)
        for i in 1..<Int(argc.pointee) { args[i] = args[i + 1] }
        argc.pointee -= 1
    }
    _ = Fuzz.select(getenv("ROOST_FUZZ_TARGET").map { String(cString: $0) })
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    Fuzz.selected?(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
#else
/// Outside the fuzzer build: replay the given files, and the files of the given directories.
@main
enum Replay {
    static func main() {
        let name = Fuzz.select(CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : nil)
        var ran = 0
        for path in CommandLine.arguments.dropFirst(2) where !path.hasPrefix("-") {
            var files = [path]
            if let dir = opendir(path) {
                files = []
                while let entry = readdir(dir) {
                    let file = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                    if !file.hasPrefix(".") { files.append(path + "/" + file) }
                }
                closedir(dir)
            }
            for file in files.sorted() {
                guard let f = fopen(file, "rb") else { say("roost-fuzz: cannot open \(file)\n"); exit(1) }
                var bytes: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 65536)
                while case let n = fread(&chunk, 1, chunk.count, f), n > 0 { bytes += chunk[0..<n] }
                fclose(f)
                bytes.withUnsafeBytes { Fuzz.selected?($0) }
                ran += 1
            }
        }
        say("roost-fuzz \(name): \(ran) inputs, no failure\n")
    }
}
#endif
