/// The memory of a ``SharedValue`` or ``SharedArray`` in this process, and how it travels as a
/// handle (``SharedObjectHandle``): the segment and the offset of the object's placement,
/// its element type (checked on arrival), its element count and its lock's identity (nil
/// when created with `lock: false`).
struct SharedPayload<Element: BitwiseCopyable> {
    /// Keeps the elements mapped.
    let owner: SharedMemory
    /// Invariant: `count` initialized elements in `owner`'s memory.
    let base: UnsafeMutablePointer<Element>
    let count: Int
    let lock: Lock?

    /// What the handle carries besides where the placement is.
    struct Configuration: Codable {
        var elementType: String
        var count: Int
        var lock: LockIdentity?
    }

    init(owner: SharedMemory, base: UnsafeMutablePointer<Element>, count: Int, lock: Lock?) {
        self.owner = owner
        self.base = base
        self.count = count
        self.lock = lock
    }

    /// The placement's layout: the lock word, then exactly the bytes the elements occupy
    /// (a ``SharedValue`` is placed with its size, a ``SharedArray`` with its stride times
    /// count; this lies within both).
    private static func layout(count: Int, locked: Bool) -> SharedObjectLayout {
        let size = count == 0 ? 0 : MemoryLayout<Element>.stride * (count - 1) + MemoryLayout<Element>.size
        return SharedObjectLayout(payloadSize: size, alignment: MemoryLayout<Element>.alignment, locked: locked)
    }

    private static var elementType: String { String(reflecting: Element.self) }

    /// Encodes a handle of `kind` ("SharedValue", "SharedArray") to this memory.
    func encode(kind: String, to encoder: any Encoder) throws {
        let layout = Self.layout(count: count, locked: lock != nil)
        let start = UnsafeMutableRawPointer(base) - layout.payloadOffset
        // With a lock, its words are registered too, so a lock decoded here is this one.
        let segment = lock.map { SharedObjectRegistry.location(of: $0.storage).segment } ?? SharedObjectRegistry.handle(registering: owner)
        let configuration = Configuration(elementType: Self.elementType, count: count,
                                          lock: lock.map { LockIdentity(name: $0.name, site: $0.creationSite) })
        try SharedObjectHandle(kind: kind, segment: segment, offset: start - owner.bytes.baseAddress!, configuration: configuration).encode(to: encoder)
    }

    /// The memory a handle of `kind` refers to; throws `DecodingError` for another kind,
    /// another element type, another `count` (when given) or a placement outside its segment.
    static func decode(kind: String, count expectedCount: Int? = nil, from decoder: any Decoder) throws -> Self {
        let handle = try SharedObjectHandle<Configuration>.decode(kind: kind, from: decoder)
        let configuration = handle.configuration
        let path = decoder.codingPath
        guard configuration.elementType == elementType else {
            throw SharedObjectRegistry.corrupted(path, "a \(kind) of \(configuration.elementType) cannot be decoded as a \(kind) of \(elementType)")
        }
        guard configuration.count >= 0, expectedCount == nil || expectedCount == configuration.count else {
            throw SharedObjectRegistry.corrupted(path, "the \(kind) handle's element count \(configuration.count) is invalid")
        }
        let layout = layout(count: configuration.count, locked: configuration.lock != nil)
        let segment = try SharedObjectRegistry.segment(for: handle.segment)
        try SharedObjectRegistry.checkRange(offset: handle.offset, byteCount: layout.byteCount,
                                            alignment: max(MemoryLayout<Element>.alignment, MemoryLayout<UInt32>.alignment),
                                            in: segment, codingPath: path)
        var lock: Lock?
        if let identity = configuration.lock {
            let words = try SharedObjectRegistry.storage(at: handle.offset, of: handle.segment, words: Lock.wordCount, codingPath: path)
            lock = Lock(storage: words, name: identity.name, creationSite: identity.site)
        }
        // Invariant: in bounds and aligned (checked above); the creator initialized the elements.
        let base = (segment.bytes.baseAddress! + handle.offset + layout.payloadOffset).bindMemory(to: Element.self, capacity: configuration.count)
        return Self(owner: segment, base: base, count: configuration.count, lock: lock)
    }
}
