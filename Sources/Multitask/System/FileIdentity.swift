import Glibc
import SystemPackage

/// The device and inode numbers that name one file, whatever path or descriptor reaches it.
struct FileIdentity: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64

    /// The identity of the file at `path`, following symbolic links (so `/proc/PID/exe`
    /// names the program that process runs). The corresponding C function is `stat`.
    init(path: String) throws(Errno) {
        var info = Glibc.stat()
        guard stat(path, &info) == 0 else { throw Errno(rawValue: errno) }
        self.init(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    /// The identity of the executable that process `pid` runs.
    static func executable(of pid: pid_t) throws(Errno) -> FileIdentity {
        try FileIdentity(path: "/proc/\(pid)/exe")
    }
}
