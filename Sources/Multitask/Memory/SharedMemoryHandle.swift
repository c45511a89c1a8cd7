import SystemPackage

/// A reference to a shared-memory segment that can travel to another process inside a
/// `Codable` value: the number of a descriptor for the segment's file, plus the file's
/// identity, checked on arrival.
///
/// Encoded as is, the number is the descriptor in the encoding process, valid in fork
/// children (they inherit every descriptor). For any other child the descriptors travel
/// beside the value: whoever encodes an entry value for a spawned or fork-server child puts a
/// ``DescriptorCollector`` in the encoder's `userInfo` under ``collectorKey``; each handle
/// encoded then writes the *slot* of its descriptor in the collector instead, and the
/// launcher passes the collected descriptors to the child in slot order. The child decodes
/// with a ``DescriptorTable`` (its own descriptor for each slot) under ``tableKey``.
struct SharedMemoryHandle: Codable, Hashable, Sendable {
    var descriptor: Int32
    var device: UInt64
    var inode: UInt64
    /// Bytes to map (the creator's mapped length).
    var length: Int

    /// Collects the descriptors of every handle encoded with it in `userInfo`, each once,
    /// numbering them 0, 1, … in the order they are first met.
    final class DescriptorCollector: @unchecked Sendable {
        private let lock = InternalLock()
        private var collected: [Int32] = []
        private var slots: [Int32: Int32] = [:]

        init() {}

        /// The slot of `descriptor`, added if new.
        func slot(for descriptor: Int32) -> Int32 {
            lock.withLock {
                if let slot = slots[descriptor] { return slot }
                let slot = Int32(collected.count)
                collected.append(descriptor)
                slots[descriptor] = slot
                return slot
            }
        }

        /// The descriptors the receiving process needs, in slot order.
        var descriptors: [Int32] { lock.withLock { collected } }
    }

    /// The receiving side of a ``DescriptorCollector``: this process's descriptor for each slot.
    struct DescriptorTable: Sendable {
        let descriptors: [Int32]
    }

    static let collectorKey = CodingUserInfoKey(rawValue: "multitask.descriptorCollector")!
    static let tableKey = CodingUserInfoKey(rawValue: "multitask.descriptorTable")!

    func encode(to encoder: any Encoder) throws {
        let collector = encoder.userInfo[Self.collectorKey] as? DescriptorCollector
        var container = encoder.unkeyedContainer()
        try container.encode(collector?.slot(for: descriptor) ?? descriptor)
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
        let number = try container.decode(Int32.self)
        if let table = decoder.userInfo[Self.tableKey] as? DescriptorTable {
            guard table.descriptors.indices.contains(Int(number)) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "shared-memory handle refers to descriptor slot \(number), but \(table.descriptors.count) descriptors were passed"))
            }
            descriptor = table.descriptors[Int(number)]
        } else {
            descriptor = number
        }
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
