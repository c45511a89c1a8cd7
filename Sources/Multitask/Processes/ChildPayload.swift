/// Everything a spawned or fork-server child needs to become its `Process`: the entry (type
/// name and encoded value) and the identity the parent gave it.
struct ChildPayload {
    var entryType: String
    var entry: PayloadNode
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
        self.entry = try PayloadEncoder.node(of: entry)
        self.name = name
        self.isDaemon = isDaemon
        self.identity = identity
        self.startMethod = startMethod
        self.parentPID = parentPID
        self.parentName = parentName
    }

    private struct Header: Codable {
        var entryType: String
        var name: String
        var isDaemon: Bool
        var identity: [Int]
        var startMethod: StartMethod
        var parentPID: Int32
        var parentName: String
    }

    /// The bytes sent to the child: a two-element array, header then entry.
    func serialized() throws -> [UInt8] {
        let header = Header(entryType: entryType, name: name, isDaemon: isDaemon, identity: identity,
                            startMethod: startMethod, parentPID: parentPID, parentName: parentName)
        return PayloadNode.array([try PayloadEncoder.node(of: header), entry]).serialized()
    }

    /// Reads the bytes written by ``serialized()``.
    init(bytes: [UInt8]) throws {
        guard case .array(let parts) = try PayloadNode.parse(bytes), parts.count == 2 else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not a child payload"))
        }
        let header = try PayloadDecoder.decode(Header.self, from: parts[0])
        entryType = header.entryType
        entry = parts[1]
        name = header.name
        isDaemon = header.isDaemon
        identity = header.identity
        startMethod = header.startMethod
        parentPID = header.parentPID
        parentName = header.parentName
    }

    /// Resolves and decodes the entry value in this process.
    func decodeEntry() throws -> any ProcessEntry {
        guard let type = EntryType.resolve(entryType) else {
            throw EntryType.Unresolvable(type: entryType, reason: "no ProcessEntry type has this mangled name in this executable")
        }
        return try PayloadDecoder.decode(type, from: entry)
    }
}
