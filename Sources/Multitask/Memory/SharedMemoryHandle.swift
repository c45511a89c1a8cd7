import SystemPackage

/// A reference to a shared-memory segment that can travel to another process inside a
/// `Codable` value: a descriptor for the segment's file (a ``PassedDescriptor``, so it reaches
/// spawned and fork-server children too), plus the file's identity, checked on arrival.
struct SharedMemoryHandle: Codable, Hashable, Sendable {
    var descriptor: Int32
    var device: UInt64
    var inode: UInt64
    /// Bytes to map (the creator's mapped length).
    var length: Int

    func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(PassedDescriptor(rawValue: descriptor))
        try container.encode(device)
        try container.encode(inode)
        try container.encode(length)
    }

    init(descriptor: Int32, device: UInt64, inode: UInt64, length: Int) {
        self.descriptor = descriptor
        self.device = device
        self.inode = inode
        self.length = length
    }

    init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        descriptor = try container.decode(PassedDescriptor.self).rawValue
        device = try container.decode(UInt64.self)
        inode = try container.decode(UInt64.self)
        length = try container.decode(Int.self)
    }
}

/// Why a handle could not be opened in this process.
public enum SharedMemoryHandleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The descriptor is closed or refers to another file in this process: the segment's
    /// descriptor was not passed to this process.
    case descriptorNotInherited(Int32)
    /// A system call failed.
    case system(Errno)

    public var description: String {
        switch self {
        case .descriptorNotInherited(let fd):
            "descriptor \(fd) of a shared-memory handle is not the segment's file in this process (was it passed to the child?)"
        case .system(let errno):
            "opening a shared-memory handle failed: \(errno)"
        }
    }
}

extension SharedMemory {
    /// A handle for this segment, valid in processes that inherit its descriptor.
    var handle: SharedMemoryHandle {
        let identity = (try? fileDescriptor.fileIdentity()) ?? (device: 0, inode: 0)
        return SharedMemoryHandle(descriptor: fileDescriptor.rawValue, device: identity.device,
                                  inode: identity.inode, length: bytes.count)
    }

    /// Maps the segment `handle` refers to, through a duplicate of its descriptor (so this
    /// object owns, and closes, only its own descriptor).
    convenience init(adopting handle: SharedMemoryHandle) throws(SharedMemoryHandleError) {
        let (fd, mapping) = try Self.mapAdopted(handle)
        self.init(fd: fd, mapping: mapping, size: handle.length, name: nil)
    }

    private static func mapAdopted(_ handle: SharedMemoryHandle) throws(SharedMemoryHandleError) -> (FileDescriptor, MemoryMapping) {
        let inherited = FileDescriptor(rawValue: handle.descriptor)
        guard let identity = try? inherited.fileIdentity(),
              identity.device == handle.device, identity.inode == handle.inode
        else { throw .descriptorNotInherited(handle.descriptor) }
        let fd: FileDescriptor
        do {
            fd = try inherited.duplicateCloseOnExec()
        } catch {
            throw .system(error)
        }
        do {
            return (fd, try MemoryMapping.mapShared(fd, length: handle.length))
        } catch {
            try? fd.closeDescriptor()
            throw .system(error)
        }
    }
}
