import SystemPackage

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
    /// Where the ``CrashRecord`` the child writes a crash into is: the descriptor slot of its
    /// segment and its offset there.
    var crashRecordSlot: Int32?
    var crashRecordOffset: Int?
    /// How many descriptors the entry's and the record's handles refer to (slots 0..<count).
    var descriptorCount: Int
    /// In the parent: the descriptors to pass, in slot order. Not part of the payload.
    private(set) var descriptors: [Int32] = []
    var name: String
    /// The name the child gives itself in the kernel (`ps`, `pstree`): its name when the
    /// program chose one, else nil (it keeps the program's name).
    var kernelName: String?
    var isDaemon: Bool
    var identity: [Int]
    var startMethod: StartMethod
    var parentPID: Int32
    var parentName: String

    /// Builds the payload of `entry` for `process`; throws if the value cannot be encoded.
    init(entry: any ProcessEntry, typeName: String, name: String, isDaemon: Bool, identity: [Int],
         startMethod: StartMethod, parentPID: Int32, parentName: String,
         crashRecord: CrashRecord? = nil, descriptorLimit: Int = .max, kernelName: String? = nil) throws {
        self.entryType = typeName
        let collector = PassedDescriptor.Collector()
        let encoder = BinaryEncoder(userInfo: [PassedDescriptor.collectorKey: collector])
        self.entry = try encoder.encode(entry)
        // The record costs at most one more descriptor; without room for it, the child goes
        // without (a crash is still seen by its signal), and the entry's own limit stays.
        if let location = crashRecord?.location, collector.descriptors.count < descriptorLimit {
            crashRecordSlot = collector.slot(for: location.descriptor)
            crashRecordOffset = location.offset
        }
        self.descriptors = collector.descriptors
        self.descriptorCount = descriptors.count
        self.name = name
        self.kernelName = kernelName
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
        case entryType, entry, crashRecordSlot, crashRecordOffset, descriptorCount, name, kernelName, isDaemon, identity, startMethod, parentPID, parentName
    }

    /// Resolves and decodes the entry value in this process. `inherited` are this process's
    /// copies of the parent's ``descriptors``, in slot order; they are closed here, decoded
    /// objects having taken descriptors of their own. `resolved` is the entry's type if the
    /// caller already resolved ``entryType`` (nil: it is resolved here).
    func decodeEntry(inherited: [Int32], resolved: (any ProcessEntry.Type)? = nil) throws -> any ProcessEntry {
        defer { FileDescriptor.closeAll(inherited) }
        guard inherited.count == descriptorCount else {
            throw DescriptorMismatch(expected: descriptorCount, received: inherited.count)
        }
        guard let type = resolved ?? EntryType.resolve(entryType) else {
            throw EntryType.Unresolvable(type: entryType, reason: "no ProcessEntry type has this mangled name in this executable")
        }
        return try decode(type, table: PassedDescriptor.Table(descriptors: inherited))
    }

    /// The crash record the parent made for this child, mapped from `inherited` (which stay
    /// open for ``decodeEntry(inherited:)``); nil if the parent made none.
    func crashRecord(inherited: [Int32]) -> CrashRecord? {
        guard let slot = crashRecordSlot.map(Int.init), let offset = crashRecordOffset, inherited.indices.contains(slot) else { return nil }
        return CrashRecord.adopt(descriptor: inherited[slot], offset: offset)
    }

    private func decode<Entry: ProcessEntry>(_ type: Entry.Type, table: PassedDescriptor.Table) throws -> any ProcessEntry {
        try BinaryDecoder(userInfo: Self.decoderUserInfo(table)).decode(type, from: entry)
    }

    /// The decoder's user info for an entry whose handles refer to `table`. The fork server
    /// makes one before its first fork (``ForkServer``): the dictionary's type metadata is
    /// then instantiated there once, not in every child.
    static func decoderUserInfo(_ table: PassedDescriptor.Table) -> [CodingUserInfoKey: any Sendable] {
        [PassedDescriptor.tableKey: table]
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
