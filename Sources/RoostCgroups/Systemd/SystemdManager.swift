import Glibc
import RoostDBus
import RoostLinux
import RoostSpec

/// systemd's manager over D-Bus: the system bus, else (as root) systemd's private socket, as
/// go-systemd's NewWithContext.
public final class SystemdManager {
    let bus: DBusConnection
    let direct: Bool
    /// systemd's unique name on the bus; nil on its private socket, where only systemd talks.
    private(set) var systemdName: String?

    static let destination = "org.freedesktop.systemd1"
    static let object = "/org/freedesktop/systemd1"
    static let manager = "org.freedesktop.systemd1.Manager"

    public init(systemBus: String = DBusConnection.systemBus, privateSocket: String = DBusConnection.systemdPrivate) throws(DBusError) {
        do {
            bus = try DBusConnection(path: systemBus)
            direct = false
        } catch {
            guard getuid() == 0 else { throw error }
            do { bus = try DBusConnection(path: privateSocket, hello: false) } catch {
                throw DBusError(name: error.name, message: "cannot reach systemd at \(systemBus) or \(privateSocket): \(error.message)")
            }
            direct = true
        }
        if !direct {
            // JobRemoved reaches the client that queued the job; the match lets the bus pass it on,
            // from systemd only. The bus stamps each message with its sender's unique name, so
            // checking that name too keeps another client's forged signal from ending a wait.
            try bus.call(.methodCall(destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus",
                                     interface: "org.freedesktop.DBus", member: "AddMatch",
                                     body: [.string("type='signal',sender='\(Self.destination)',path='\(Self.object)',interface='\(Self.manager)',member='JobRemoved'")]))
            let owner = try bus.call(.methodCall(destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus",
                                                 interface: "org.freedesktop.DBus", member: "GetNameOwner",
                                                 body: [.string(Self.destination)]))
            systemdName = owner.body.first?.stringValue
        }
    }

    func call(_ member: String, _ body: [DBusValue]) throws(DBusError) -> DBusMessage {
        try bus.call(.methodCall(destination: direct ? nil : Self.destination, path: Self.object,
                                 interface: Self.manager, member: member, body: body))
    }

    /// Waits for the job's JobRemoved signal; its result ("done", "failed", "canceled", …).
    func wait(job: String) throws(DBusError) -> String {
        let s = try bus.waitForSignal { m in
            m.member == "JobRemoved" && m.interface == Self.manager && m.path == Self.object && (systemdName == nil || m.sender == systemdName)
                && m.body.count == 4 && m.body[1].stringValue == job
        }
        return s.body[3].stringValue ?? ""
    }

    /// StartTransientUnit(name, "replace", properties, no aux units) and waits for its job, as
    /// runc's startUnit: a leftover unit of that name (UnitExists) is reset once and retried; a
    /// job that does not end "done" resets the unit and fails.
    public func startTransientUnit(_ unit: String, properties: [(String, DBusValue)]) throws(DBusError) {
        var reply: DBusMessage
        let body: [DBusValue] = [.string(unit), .string("replace"), .properties(properties), .array(element: "(sa(sv))", [])]
        do {
            reply = try call("StartTransientUnit", body)
        } catch where error.name == "org.freedesktop.systemd1.UnitExists" {
            try? resetFailedUnit(unit)
            reply = try call("StartTransientUnit", body)
        }
        let job = reply.body.first?.stringValue ?? ""
        let result = try wait(job: job)
        guard result == "done" else {
            try? resetFailedUnit(unit)
            throw DBusError(name: "roost.systemd.JobFailed", message: "error creating systemd unit `\(unit)`: got `\(result)`")
        }
    }

    /// StopUnit(name, "replace"), waiting for its job, then ResetFailedUnit so systemd forgets a
    /// failed unit (runc's stopUnit). A unit that is not loaded is already stopped.
    public func stopUnit(_ unit: String) throws(DBusError) {
        do {
            let reply = try call("StopUnit", [.string(unit), .string("replace")])
            _ = try wait(job: reply.body.first?.stringValue ?? "")
        } catch where error.name == "org.freedesktop.systemd1.NoSuchUnit" {}
        try? resetFailedUnit(unit)
    }

    /// SetUnitProperties(name, runtime, properties): no job, the reply says it is done.
    public func setUnitProperties(_ unit: String, runtime: Bool, properties: [(String, DBusValue)]) throws(DBusError) {
        _ = try call("SetUnitProperties", [.string(unit), .bool(runtime), .properties(properties)])
    }

    public func resetFailedUnit(_ unit: String) throws(DBusError) {
        _ = try call("ResetFailedUnit", [.string(unit)])
    }
}
