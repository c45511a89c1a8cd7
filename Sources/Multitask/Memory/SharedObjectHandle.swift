/// What a process-shared object (a shared ``Lock``, ``RLock``, ``Condition``, ``Semaphore``,
/// ``Event``, ``Barrier``, a ``SharedValue``, ``SharedArray`` or ``SharedMemory``) encodes to
/// when it travels inside a `Codable` value.
///
/// In order: the kind of object, checked on arrival before anything else is read; the
/// ``SharedMemoryHandle`` of the segment holding the object (encoded through its own
/// `Codable` conformance, so a spawner's descriptor collector sees it); the byte offset of
/// the object's memory in that segment; and the configuration that lives outside that
/// memory (a name, a bound, a timeout, an element type, …). Decoding maps the same segment
/// and wraps the very same memory, so the decoded object *is* the original one.
struct SharedObjectHandle<Configuration: Codable>: Encodable {
    /// The object's type name as shown in messages ("Lock", "SharedValue", …).
    var kind: String
    var segment: SharedMemoryHandle
    /// Where the object's memory starts in the segment.
    var offset: Int
    var configuration: Configuration

    func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(kind)
        try container.encode(segment)
        try container.encode(offset)
        try container.encode(configuration)
    }

    /// Decodes a handle of `kind`; throws `DecodingError` for a handle of another kind.
    static func decode(kind: String, from decoder: any Decoder) throws -> Self {
        var container = try decoder.unkeyedContainer()
        let found = try container.decode(String.self)
        guard found == kind else {
            throw SharedObjectRegistry.corrupted(decoder.codingPath, "a handle of a \(found) cannot be decoded as a \(kind)")
        }
        return Self(kind: kind, segment: try container.decode(SharedMemoryHandle.self),
                    offset: try container.decode(Int.self), configuration: try container.decode(Configuration.self))
    }

    /// The error for encoding a process-local `object`.
    static func processLocal(_ object: AnyObject, codingPath: [any CodingKey]) -> EncodingError {
        EncodingError.invalidValue(object, .init(codingPath: codingPath, debugDescription:
            "\(type(of: object)) is process-local; create it with `placement: .shared` to send it to another process"))
    }
}

/// The handle configuration of an object with nothing to configure.
struct NoConfiguration: Codable {}

/// How a lock is named in diagnostics: its name and creation site travel with its handle, so
/// a decoded lock is reported as the one it is.
struct LockIdentity: Codable {
    var name: String?
    var file: String
    var line: Int

    init(name: String?, site: CreationSite) {
        self.name = name
        file = site.file
        line = site.line
    }

    var site: CreationSite { CreationSite(decodedFile: file, line: line) }
}

extension CreationSite {
    /// A site carried by a handle.
    init(decodedFile file: String, line: Int) {
        self.file = file
        self.line = line
    }
}

/// A synchronization primitive that travels as a ``SharedObjectHandle`` of its words plus a
/// `HandleConfiguration`: what lives outside the words. The handle names the primitive's
/// ``SyncPrimitive/kind``.
protocol SharedWordsCoding: SyncPrimitive {
    associatedtype HandleConfiguration: Codable
    /// What a handle of this primitive carries besides its words.
    var handleConfiguration: HandleConfiguration { get }
}

extension SharedWordsCoding {
    /// The kind the handle names ("Lock", "Event", …).
    static var handleKind: String { "\(kind)" }

    /// `encode(to:)`: a handle of this primitive's shared words and its configuration; throws
    /// `EncodingError.invalidValue` for process-local words, which cannot leave the process.
    func encodeHandle(to encoder: any Encoder) throws {
        guard storage.isShared else {
            throw SharedObjectHandle<HandleConfiguration>.processLocal(self, codingPath: encoder.codingPath)
        }
        let (segment, offset) = SharedObjectRegistry.location(of: storage)
        try SharedObjectHandle(kind: Self.handleKind, segment: segment, offset: offset, configuration: handleConfiguration).encode(to: encoder)
    }

    /// The storage a handle of this kind refers to (the one this process already has for those
    /// words, if any), with the handle's configuration.
    static func decodeHandle(from decoder: any Decoder) throws -> (SyncStorage, HandleConfiguration) {
        let handle = try SharedObjectHandle<HandleConfiguration>.decode(kind: handleKind, from: decoder)
        let storage = try SharedObjectRegistry.storage(at: handle.offset, of: handle.segment, words: wordCount, codingPath: decoder.codingPath)
        return (storage, handle.configuration)
    }
}
