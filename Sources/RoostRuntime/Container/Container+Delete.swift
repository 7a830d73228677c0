import Glibc
import RoostLinux

extension Container {
    /// Removes what a stopped container leaves on the host. Its mounts lived in its own mount
    /// namespace and went with its last process; what remains is the state directory.
    static func destroy(_ directory: StateDirectory) {
        directory.remove()
    }
}
