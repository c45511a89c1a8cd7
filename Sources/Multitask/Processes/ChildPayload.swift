import Glibc

/// Everything a spawned or fork-server child needs to become its `Process`: the entry (type
/// name and encoded value) and the identity the parent gave it, in the package's binary
/// `Codable` format (``BinaryEncoder``).
///
/// Shared objects inside the entry (queues, shared locks, shared memory) are encoded as
/// handles naming descriptor *slots* (see ``PassedDescriptor``); the launcher passes the
/// ``descriptors`` beside the payload, and the child decodes with its copies of them.
struct ChildPayload: Codable {
    var entryType: String
    /// The entry value, encoded; decoded in the child once its type is resolved.
    var entry: [UInt8]
    /// How many descriptors the entry's handles refer to (slots 0..<count).
    var descriptorCount: Int
    /// In the parent: the descriptors to pass, in slot order. Not part of the payload.
    private(set) var descriptors: [Int32] = []
    var name: String
    var isDaemon: Bool
    var identity: [Int]
    var startMethod: StartMethod
    var parentPID: Int32
    var parentName: String

    /// Builds the payload of `entry` for `process`; throws if the value cannot be encoded.
    init(entry: any ProcessEntry, typeName: String, name: String, isDaemon: Bool, identity: [Int],
         startMethod: StartMethod, parentPID: Int32, parentName: String) throws {
        self.entryType = typeName
        let collector = PassedDescriptor.Collector()
        self.entry = try BinaryEncoder(userInfo: [PassedDescriptor.collectorKey: collector]).encode(entry)
        self.descriptors = collector.descriptors
        self.descriptorCount = descriptors.count
        self.name = name
        self.isDaemon = isDaemon
        self.identity = identity
        self.startMethod = startMethod
        self.parentPID = parentPID
        self.parentName = parentName
    }

    /// The bytes sent to the child.
    func serialized() throws -> [UInt8] { try BinaryEncoder().encode(self) }

    /// Reads the bytes written by ``serialized()``.
    init(bytes: [UInt8]) throws {
        self = try BinaryDecoder().decode(ChildPayload.self, from: bytes)
    }

    private enum CodingKeys: String, CodingKey {
        case entryType, entry, descriptorCount, name, isDaemon, identity, startMethod, parentPID, parentName
    }

    /// Resolves and decodes the entry value in this process. `inherited` are this process's
    /// copies of the parent's ``descriptors``, in slot order; they are closed here, decoded
    /// objects having taken descriptors of their own.
    func decodeEntry(inherited: [Int32]) throws -> any ProcessEntry {
        defer { inherited.forEach { _ = close($0) } }
        guard inherited.count == descriptorCount else {
            throw DescriptorMismatch(expected: descriptorCount, received: inherited.count)
        }
        guard let type = EntryType.resolve(entryType) else {
            throw EntryType.Unresolvable(type: entryType, reason: "no ProcessEntry type has this mangled name in this executable")
        }
        return try decode(type, table: PassedDescriptor.Table(descriptors: inherited))
    }

    private func decode<Entry: ProcessEntry>(_ type: Entry.Type, table: PassedDescriptor.Table) throws -> any ProcessEntry {
        try BinaryDecoder(userInfo: [PassedDescriptor.tableKey: table]).decode(type, from: entry)
    }

    /// The child did not receive the descriptors its entry refers to.
    struct DescriptorMismatch: Error, CustomStringConvertible {
        let expected: Int
        let received: Int
        var description: String {
            "the entry refers to \(expected) shared-memory descriptors but the child received \(received)"
        }
    }
}
