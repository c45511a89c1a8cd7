/// Everything a spawned or fork-server child needs to become its `Process`: the entry (type
/// name and encoded value) and the identity the parent gave it, in the package's binary
/// `Codable` format (``BinaryEncoder``).
struct ChildPayload: Codable {
    var entryType: String
    /// The entry value, encoded; decoded in the child once its type is resolved.
    var entry: [UInt8]
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
        self.entry = try BinaryEncoder().encode(entry)
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

    /// Resolves and decodes the entry value in this process.
    func decodeEntry() throws -> any ProcessEntry {
        guard let type = EntryType.resolve(entryType) else {
            throw EntryType.Unresolvable(type: entryType, reason: "no ProcessEntry type has this mangled name in this executable")
        }
        return try decode(type)
    }

    private func decode<Entry: ProcessEntry>(_ type: Entry.Type) throws -> any ProcessEntry {
        try BinaryDecoder().decode(type, from: entry)
    }
}
