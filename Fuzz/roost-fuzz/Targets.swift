import CRoostShim
import Glibc
import RoostLinux
import RoostRuntime
import RoostSpec

/// One message on standard error (libFuzzer's own output goes there too).
func say(_ text: String) {
    var bytes = Array(text.utf8)
    bytes.withUnsafeMutableBytes { _ = write(2, $0.baseAddress, $0.count) }
}

/// A property the input broke: printed with the input, then abort() so libFuzzer keeps the input.
func fail(_ what: String, _ input: UnsafeRawBufferPointer) -> Never {
    say("roost-fuzz: \(what)\ninput: \(String(decoding: input.prefix(512), as: UTF8.self).debugDescription)\n")
    abort()
}

/// Every error roost prints is one line (the project's rule for bad input).
func checkOneLine(_ message: String, _ input: UnsafeRawBufferPointer) {
    if message.contains(where: \.isNewline) { fail("an error message spans lines: \(message.debugDescription)", input) }
}

/// config.json and process.json. Besides not crashing: errors are one line; what decodes encodes
/// to JSON that decodes again to the same value; what validates validates again after that trip.
enum SpecTarget {
    static func run(_ input: UnsafeRawBufferPointer) {
        let bytes = [UInt8](input)
        do throws(SpecError) {
            let spec = try Spec.decodeWithoutValidation(bytes)
            let json = spec.jsonValue
            let again: Spec
            do throws(SpecError) { again = try Spec.decodeWithoutValidation(json.serializedBytes()) } catch {
                fail("an encoded config does not decode: \(error)", input)
            }
            if again.jsonValue != json { fail("config changed in an encode/decode trip", input) }
            var valid = true
            do throws(SpecError) { try spec.validate(file: "config.json") } catch {
                checkOneLine(error.description, input)
                valid = false
            }
            if valid {
                do throws(SpecError) { try again.validate(file: "config.json") } catch {
                    fail("a valid config is invalid after an encode/decode trip: \(error)", input)
                }
            }
        } catch {
            checkOneLine(error.description, input)
        }
        do throws(SpecError) { _ = try Spec.Process.decode(bytes) } catch {
            checkOneLine(error.description, input)
        }
    }
}

/// state.json. Errors are one line; a state that loads writes a state.json that loads to the same.
enum StateTarget {
    static func run(_ input: UnsafeRawBufferPointer) {
        let state: ContainerState
        do { state = try ContainerState.decode([UInt8](input), id: "fuzz", file: "state.json") } catch {
            checkOneLine("\(error)", input)
            return
        }
        let json = state.json
        do {
            let again = try ContainerState.decode(json.serializedBytes(), id: "fuzz", file: "state.json")
            if again.json != json { fail("state changed in a write/read trip", input) }
        } catch {
            fail("a written state.json does not load: \(error)", input)
        }
    }
}
