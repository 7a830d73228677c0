@testable import RoostRuntime
import Testing

/// runc's prepareEnv, as runc's env.bats checks it: each name once with its last value, an
/// empty HOME replaced by the user's home.
@Suite struct EnvironmentTests {
    func prepared(_ env: [String]) -> [String] { ProcessSetup.preparedEnvironment(env, home: { "/root" }) }

    @Test func lastValueWinsOnce() {
        #expect(prepared(["ONE=two", "ONE=", "PATH=/usr/bin:/bin"]) == ["ONE=", "PATH=/usr/bin:/bin", "HOME=/root"])
        #expect(prepared(["A=1", "ONE=two", "ONE=three"]) == ["A=1", "ONE=three", "HOME=/root"])
    }

    @Test func home() {
        #expect(prepared(["HOME=/override"]) == ["HOME=/override"])
        #expect(prepared(["HOME="]) == ["HOME=/root"])
        #expect(prepared(["HOME=/override", "HOME="]) == ["HOME=/root"])
        #expect(prepared(["HOME=", "PATH=/usr/bin:/bin"]) == ["PATH=/usr/bin:/bin", "HOME=/root"])
        #expect(prepared(["NEW_LINE_ENV=\n"]) == ["NEW_LINE_ENV=\n", "HOME=/root"])
    }
}
