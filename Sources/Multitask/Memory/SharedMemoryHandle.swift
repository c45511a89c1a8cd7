import SystemPackage

/// A reference to a shared-memory segment that can travel to another process inside a
/// `Codable` value: a descriptor for the segment's file (a ``PassedDescriptor``, so it reaches
/// spawned and fork-server children too), plus the file's identity, checked on arrival.
///
/// Adopting a handle trusts nothing about the file but its identity: before mapping, the
/// file's real size must cover what will be touched, and a segment the creator sealed must
/// still be sealed (an unsealed file could be shrunk under the mapping, a `SIGBUS`); an
/// unsealed (named) one must belong to this process's user.
struct SharedMemoryHandle: Codable, Hashable, Sendable {
    var descriptor: Int32
    var device: UInt64
    var inode: UInt64
    /// Bytes to map (the creator's mapped length).
    var length: Int
    /// Whether the creator sealed the file against shrinking (anonymous segments).
    var sealed: Bool

    func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(PassedDescriptor(rawValue: descriptor))
        try container.encode(device)
        try container.encode(inode)
        try container.encode(length)
        try container.encode(sealed)
    }

    init(descriptor: Int32, device: UInt64, inode: UInt64, length: Int, sealed: Bool) {
        self.descriptor = descriptor
        self.device = device
        self.inode = inode
        self.length = length
        self.sealed = sealed
    }

    init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        descriptor = try container.decode(PassedDescriptor.self).rawValue
        device = try container.decode(UInt64.self)
        inode = try container.decode(UInt64.self)
        length = try container.decode(Int.self)
        sealed = try container.decode(Bool.self)
    }
}

/// Why a handle could not be opened in this process.
public enum SharedMemoryHandleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The descriptor is closed or refers to another file in this process: the segment's
    /// descriptor was not passed to this process.
    case descriptorNotInherited(Int32)
    /// A system call failed.
    case system(Errno)
    /// The segment's file holds `size` bytes, fewer than the `needed` ones the handle's
    /// object uses: mapping it would fault (`SIGBUS`) on the missing bytes.
    case fileTooSmall(size: Int, needed: Int)
    /// The handle is of a sealed (anonymous) segment, but the file is not sealed against
    /// shrinking: whoever holds it could pull the memory out from under this process.
    case notSealed
    /// The segment is unsealed (named) and belongs to user `owner`, not to this process's
    /// effective user, who could then shrink it under this process's mapping.
    case foreignOwner(UInt32)

    public var description: String {
        switch self {
        case .descriptorNotInherited(let fd):
            "descriptor \(fd) of a shared-memory handle is not the segment's file in this process (was it passed to the child?)"
        case .system(let errno):
            "opening a shared-memory handle failed: \(errno)"
        case .fileTooSmall(let size, let needed):
            "the file of a shared-memory handle holds \(size) bytes, fewer than the \(needed) it must hold"
        case .notSealed:
            "the file of a shared-memory handle is not sealed against shrinking"
        case .foreignOwner(let owner):
            "the file of a shared-memory handle belongs to user \(owner), not to this process's user"
        }
    }
}

extension SharedMemory {
    /// A handle for this segment, valid in processes that inherit its descriptor.
    var handle: SharedMemoryHandle {
        let identity = (try? fileDescriptor.fileIdentity()) ?? FileIdentity(device: 0, inode: 0)
        return SharedMemoryHandle(descriptor: fileDescriptor.rawValue, device: identity.device,
                                  inode: identity.inode, length: bytes.count, sealed: isSealed)
    }

    /// Maps the segment `handle` refers to, through a duplicate of its descriptor (so this
    /// object owns, and closes, only its own descriptor).
    ///
    /// The file must hold at least `covered` bytes now (nil: the whole mapped length); an
    /// object that grows its file in place (a queue) checks the rest before each use.
    convenience init(adopting handle: SharedMemoryHandle, covered: Int? = nil) throws(SharedMemoryHandleError) {
        let fd = try Self.adoptedDescriptor(handle)
        do throws(SharedMemoryHandleError) {
            try Self.checkAdoptable(fd, handle, covered: min(covered ?? handle.length, handle.length))
            let mapping: MemoryMapping
            do {
                mapping = try MemoryMapping.mapShared(fd, length: handle.length)
            } catch {
                throw .system(error)
            }
            self.init(fd: fd, mapping: mapping, size: handle.length, name: nil, isSealed: handle.sealed)
        } catch {
            try? fd.closeDescriptor()
            throw error
        }
    }

    /// Checks, before mapping, what a peer holding the file could have changed: its size, its
    /// seals, its owner.
    private static func checkAdoptable(_ fd: FileDescriptor, _ handle: SharedMemoryHandle, covered: Int) throws(SharedMemoryHandleError) {
        if handle.sealed {
            guard try system(fd.seals).contains(.shrink) else { throw .notSealed }
        } else {
            let owner = try system(fd.ownership).user
            guard owner == ProcessIdentity.effectiveUser else { throw .foreignOwner(owner) }
        }
        // After the seal check: a sealed file cannot shrink below what is measured here.
        let size = try system(fd.fileSize)
        guard size >= covered else { throw .fileTooSmall(size: size, needed: covered) }
    }

    /// The result of a system call, its `Errno` wrapped as ``SharedMemoryHandleError/system(_:)``.
    private static func system<Result>(_ call: () throws(Errno) -> Result) throws(SharedMemoryHandleError) -> Result {
        do {
            return try call()
        } catch {
            throw .system(error)
        }
    }

    /// A duplicate of the handle's descriptor, once it is checked to be the handle's file.
    private static func adoptedDescriptor(_ handle: SharedMemoryHandle) throws(SharedMemoryHandleError) -> FileDescriptor {
        let inherited = FileDescriptor(rawValue: handle.descriptor)
        guard let identity = try? inherited.fileIdentity(),
              identity.device == handle.device, identity.inode == handle.inode
        else { throw .descriptorNotInherited(handle.descriptor) }
        do {
            return try inherited.duplicateCloseOnExec()
        } catch {
            throw .system(error)
        }
    }
}
