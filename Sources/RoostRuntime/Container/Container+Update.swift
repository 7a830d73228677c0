import Glibc
import RoostCgroups
import RoostLinux
import RoostSpec

extension Container {
    /// `roost update`: writes new resources into a running container's cgroup.
    public static func update(id: String, stateRoot: String, resources: Spec.Resources) throws {
        let directory = try directory(id, root: stateRoot)
        let lock = try directory.lock()
        defer { withExtendedLifetime(lock) {} }
        let c = try LoadedContainer.load(directory)
        guard c.status != .stopped else { throw RuntimeError.invalidState(id: id, problem: "container not running") }
        guard let cg = c.state.cgroups else {
            throw RuntimeError.invalidState(id: id, problem: "has no cgroup to update (roost does not manage cgroups on this host yet)")
        }
        do { try cg.update(resources) } catch {
            throw RuntimeError.usage(error.description.replacingOccurrences(of: "config.json: linux.resources.", with: "update: "))
        }
    }
}

extension String {
    func replacingOccurrences(of a: String, with b: String) -> String {
        guard let r = range(of: a) else { return self }
        return self[..<r.lowerBound] + b + self[r.upperBound...]
    }

    func range(of needle: String) -> Range<String.Index>? {
        var i = startIndex
        while i < endIndex {
            if self[i...].hasPrefix(needle) { return i..<index(i, offsetBy: needle.count) }
            i = index(after: i)
        }
        return nil
    }
}
