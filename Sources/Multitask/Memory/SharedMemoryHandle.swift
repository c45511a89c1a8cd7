import SystemPackage

/// A reference to a shared-memory segment that can travel to another process inside a
/// `Codable` value: the number of a descriptor for the segment's file, valid in the receiving
/// process, plus the file's identity, checked on arrival.
///
/// Valid as is in fork children (they inherit every descriptor). A spawned child needs the
/// descriptor passed to it under the same number: whoever encodes an entry value for
/// `posix_spawn` puts a ``SharedMemoryHandle/DescriptorCollector`` in the encoder's
/// `userInfo` under ``SharedMemoryHandle/collectorKey``; every handle encoded registers its
/// descriptor there, and the spawn must then `dup2` each one into the child at the same
/// number (which also clears close-on-exec).
struct SharedMemoryHandle: Codable, Hashable, Sendable {
    var descriptor: Int32
    var device: UInt64
    var inode: UInt64
    /// Bytes to map (the creator's mapped length).
    var length: Int

    /// Collects the descriptors of every handle encoded with it in `userInfo`.
    final class DescriptorCollector: @unchecked Sendable {
        private let lock = InternalLock()
        private var collected: Set<Int32> = []

        init() {}

        func add(_ descriptor: Int32) { lock.withLock { _ = collected.insert(descriptor) } }

        /// The descriptors a spawned child must inherit under the same numbers.
        var descriptors: [Int32] { lock.withLock { collected.sorted() } }
    }

    static let collectorKey = CodingUserInfoKey(rawValue: "multitask.descriptorCollector")!

    func encode(to encoder: any Encoder) throws {
        (encoder.userInfo[Self.collectorKey] as? DescriptorCollector)?.add(descriptor)
        var container = encoder.unkeyedContainer()
        try container.encode(descriptor)
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
        descriptor = try container.decode(Int32.self)
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
