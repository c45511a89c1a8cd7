import CShim
import Glibc
import SystemPackage

/// Typed wrappers over the calls that create, size and remove shared-memory files.
///
/// Two kinds of file back a shared segment: an anonymous `memfd` (no name in any file system;
/// freed when the last descriptor and mapping are gone) and a named POSIX segment in
/// `/dev/shm`. Every call retries on `EINTR` and throws the `Errno` it failed with.
enum SharedMemoryFile {
    /// Creates an anonymous memory file, close-on-exec, of size zero, that accepts seals
    /// (``FileSeals``).
    ///
    /// `name` only labels the file in `/proc/PID/fd` (`/memfd:NAME`); it is not a path.
    /// The corresponding C function is `memfd_create` with `MFD_CLOEXEC | MFD_ALLOW_SEALING`.
    static func createAnonymous(label: String) throws(Errno) -> FileDescriptor {
        let rc = label.withCString { cshim_memfd_create($0) }
        guard rc >= 0 else { throw Errno(rawValue: -rc) }
        return FileDescriptor(rawValue: rc)
    }

    /// Opens (and with `create`, exclusively creates with `permissions`) the named segment
    /// `name` (`"/NAME"`), read-write and close-on-exec.
    ///
    /// The corresponding C function is `shm_open`.
    static func openNamed(_ name: String, create: Bool, permissions: FilePermissions = .ownerReadWrite) throws(Errno) -> FileDescriptor {
        let flags = O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT | O_EXCL : 0)
        while true {
            let fd = name.withCString { shm_open($0, flags, permissions.rawValue) }
            if fd >= 0 { return FileDescriptor(rawValue: fd) }
            if errno != EINTR { throw Errno(rawValue: errno) }
        }
    }

    /// Removes the name of a POSIX shared-memory segment; mappings stay valid.
    ///
    /// The corresponding C function is `shm_unlink`.
    static func unlinkNamed(_ name: String) throws(Errno) {
        if name.withCString({ shm_unlink($0) }) != 0 { throw Errno(rawValue: errno) }
    }
}

/// The seals of a memory file (`F_SEAL_*`): operations the kernel refuses on the file from
/// then on, for every process and descriptor, so a peer cannot pull memory out from under
/// a mapping of it.
struct FileSeals: OptionSet, Sendable {
    let rawValue: CInt

    // Values of <linux/fcntl.h> (kernel ABI), which Glibc's module does not import.
    /// The `fcntl` commands that add and read seals (`F_ADD_SEALS`, `F_GET_SEALS`).
    static let addCommand: CInt = 1033, getCommand: CInt = 1034

    /// No seal can be added or removed any more.
    static let seal = FileSeals(rawValue: 0x1)
    /// The file cannot shrink: every byte below its size stays mapped-safe (no `SIGBUS`).
    static let shrink = FileSeals(rawValue: 0x2)
    /// The file cannot grow.
    static let grow = FileSeals(rawValue: 0x4)
}

/// Who owns a file, from `fstat`.
struct FileOwnership: Sendable, Equatable {
    var user: UInt32
    var permissions: FilePermissions
}

extension FileDescriptor {
    /// Adds `seals` to a memory file created with sealing allowed.
    /// The corresponding C function is `fcntl(F_ADD_SEALS)`.
    func addSeals(_ seals: FileSeals) throws(Errno) {
        guard fcntl(rawValue, FileSeals.addCommand, seals.rawValue) == 0 else { throw Errno(rawValue: errno) }
    }

    /// The seals on the file (files that cannot be sealed report ``FileSeals/seal``).
    /// The corresponding C function is `fcntl(F_GET_SEALS)`.
    func seals() throws(Errno) -> FileSeals {
        let rc = fcntl(rawValue, FileSeals.getCommand)
        guard rc >= 0 else { throw Errno(rawValue: errno) }
        return FileSeals(rawValue: rc)
    }

    /// The file's owner and mode bits. The corresponding C function is `fstat`.
    func ownership() throws(Errno) -> FileOwnership {
        var info = Glibc.stat()
        guard fstat(rawValue, &info) == 0 else { throw Errno(rawValue: errno) }
        return FileOwnership(user: info.st_uid, permissions: FilePermissions(rawValue: CModeT(info.st_mode & 0o7777)))
    }

    /// Reserves backing storage for `length` bytes at `offset`, growing the file if needed, so
    /// that later stores into a mapping of that range cannot fail with `SIGBUS`.
    ///
    /// The corresponding C function is `posix_fallocate`.
    func allocateFileSpace(offset: Int, length: Int) throws(Errno) {
        while true {
            let rc = posix_fallocate(rawValue, off_t(offset), off_t(length))
            if rc == 0 { return }
            if rc != EINTR { throw Errno(rawValue: rc) }
        }
    }

    /// The file's size in bytes. The corresponding C function is `fstat`.
    func fileSize() throws(Errno) -> Int {
        var info = Glibc.stat()
        guard fstat(rawValue, &info) == 0 else { throw Errno(rawValue: errno) }
        return Int(info.st_size)
    }

    /// The bytes of memory or disk actually backing the file (holes excluded).
    /// The corresponding C function is `fstat` (`st_blocks`).
    func allocatedBytes() throws(Errno) -> Int {
        var info = Glibc.stat()
        guard fstat(rawValue, &info) == 0 else { throw Errno(rawValue: errno) }
        return Int(info.st_blocks) * 512
    }

    /// The device and inode numbers that identify the open file.
    /// The corresponding C function is `fstat`.
    func fileIdentity() throws(Errno) -> FileIdentity {
        var info = Glibc.stat()
        guard fstat(rawValue, &info) == 0 else { throw Errno(rawValue: errno) }
        return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// A new descriptor, close-on-exec, for the same open file, numbered at least `minimum`.
    /// The corresponding C function is `fcntl(F_DUPFD_CLOEXEC)`.
    func duplicateCloseOnExec(atLeast minimum: CInt = 0) throws(Errno) -> FileDescriptor {
        let fd = fcntl(rawValue, F_DUPFD_CLOEXEC, minimum)
        guard fd >= 0 else { throw Errno(rawValue: errno) }
        return FileDescriptor(rawValue: fd)
    }

    /// Closes the descriptor. `EINTR` is not retried: on Linux the descriptor is released
    /// even then. The corresponding C function is `close`.
    func closeDescriptor() throws(Errno) {
        if Glibc.close(rawValue) != 0 && errno != EINTR { throw Errno(rawValue: errno) }
    }
}
