import Synchronization

/// This process's index of the shared memory that process-shared objects live in, by file
/// identity (device and inode), so that decoding handles maps each segment once and wraps
/// each object's words once.
///
/// - Segments: decoding a thousand locks placed in one 64 KiB arena segment maps it once, and
///   decoding in the process that created an object (or in its fork children) uses the
///   creator's own mapping.
/// - Words: every object decoded here for the same words, and the object that was encoded,
///   share one ``SyncStorage``; the deadlock detector knows a lock by its storage, so it sees
///   them as the one lock they are.
///
/// Encoding registers the object's segment and words; decoding looks them up and registers
/// what it had to map. Entries are weak: the registry keeps nothing alive, so a segment is
/// still unmapped when the last object using it dies. Segments created by users
/// (``SharedMemory``'s public initializers) are never registered, since their owner may close
/// them at any time.
enum SharedObjectRegistry {
    /// Where a shared ``SyncStorage`` lives, registering it (and its segment) for decoding in
    /// this process.
    static func location(of storage: SyncStorage) -> (segment: SharedMemoryHandle, offset: Int) {
        guard storage.isShared, let segment = storage.owner as? SharedMemory else {
            usageFailure("SharedObjectRegistry.location(of:): the storage is not placed in a shared-memory segment")
        }
        let offset = UnsafeRawPointer(storage.base) - UnsafeRawPointer(segment.bytes.baseAddress!)
        let handle = segment.handle
        let key = WordsKey(segment: SegmentKey(handle), offset: offset)
        tables.withLock { tables in
            tables.segments.insert(segment, for: key.segment)
            tables.words.insert(storage, for: key)
        }
        return (handle, offset)
    }

    /// The handle of `segment`, registering it for decoding in this process. Only for segments
    /// the library placed objects in, which nobody closes while objects use them.
    static func handle(registering segment: SharedMemory) -> SharedMemoryHandle {
        let handle = segment.handle
        tables.withLock { $0.segments.insert(segment, for: SegmentKey(handle)) }
        return handle
    }

    /// The segment `handle` refers to: the mapping this process already has, or a new one
    /// (through the handle's descriptor, which must have reached this process).
    static func segment(for handle: SharedMemoryHandle) throws(SharedMemoryHandleError) -> SharedMemory {
        try tables.withLock { (tables) throws(SharedMemoryHandleError) -> SharedMemory in
            try tables.segment(for: handle)
        }
    }

    /// The storage of the `count` words at byte `offset` of `handle`'s segment: the one this
    /// process already has for them, or a new one. Throws `DecodingError` if the words do not
    /// fit in the segment or an existing storage there has another size.
    static func storage(at offset: Int, of handle: SharedMemoryHandle, words count: Int, codingPath: [any CodingKey]) throws -> SyncStorage {
        let key = WordsKey(segment: SegmentKey(handle), offset: offset)
        return try tables.withLock { (tables) throws -> SyncStorage in
            if let existing = tables.words[key] {
                guard existing.count == count else {
                    throw corrupted(codingPath, "the handle's words at offset \(offset) belong to an object of another kind")
                }
                return existing
            }
            let segment = try tables.segment(for: handle)
            let pointer = try wordsPointer(in: segment, at: offset, count: count, codingPath: codingPath)
            let storage = SyncStorage(sharedWords: pointer, count: count, owner: segment)
            tables.words.insert(storage, for: key)
            return storage
        }
    }

    /// `count` futex words at `offset` of `segment`, after checking that they lie inside it.
    private static func wordsPointer(in segment: SharedMemory, at offset: Int, count: Int, codingPath: [any CodingKey]) throws -> UnsafeMutablePointer<Atomic<UInt32>> {
        let byteCount = count * MemoryLayout<UInt32>.stride
        try checkRange(offset: offset, byteCount: byteCount, alignment: MemoryLayout<UInt32>.alignment, in: segment, codingPath: codingPath)
        // Invariant: in bounds and aligned; the words were initialized by the object's creator.
        return (segment.bytes.baseAddress! + offset).bindMemory(to: Atomic<UInt32>.self, capacity: count)
    }

    /// Throws `DecodingError` unless `byteCount` bytes at `offset`, aligned to `alignment`,
    /// lie inside `segment`.
    static func checkRange(offset: Int, byteCount: Int, alignment: Int, in segment: SharedMemory, codingPath: [any CodingKey]) throws {
        guard offset >= 0, byteCount >= 0, offset % alignment == 0, offset <= segment.size - byteCount else {
            throw corrupted(codingPath, "the handle's object (\(byteCount) bytes at offset \(offset)) does not lie inside its \(segment.size)-byte segment")
        }
    }

    static func corrupted(_ codingPath: [any CodingKey], _ message: String) -> DecodingError {
        DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: message))
    }

    // MARK: State

    struct SegmentKey: Hashable {
        let device: UInt64
        let inode: UInt64

        init(_ handle: SharedMemoryHandle) {
            device = handle.device
            inode = handle.inode
        }
    }

    struct WordsKey: Hashable {
        let segment: SegmentKey
        let offset: Int
    }

    /// The registry's two tables.
    struct Tables {
        var segments = WeakTable<SegmentKey, SharedMemory>()
        var words = WeakTable<WordsKey, SyncStorage>()

        /// The segment `handle` refers to: this process's mapping, or a new one, registered.
        mutating func segment(for handle: SharedMemoryHandle) throws(SharedMemoryHandleError) -> SharedMemory {
            let key = SegmentKey(handle)
            if let existing = segments[key] { return existing }
            let segment = try SharedMemory(adopting: handle)
            segments.insert(segment, for: key)
            return segment
        }
    }

    /// The tables, with their lock forced open in a fork child (a parent thread may have held
    /// it at the fork); the entries stay valid there, since fork copies the mappings.
    static let tables = LockedBox(Tables(), inForkChild: { _ in })
}

/// A dictionary of weak references that drops dead entries as it grows.
struct WeakTable<Key: Hashable & Sendable, Object: AnyObject & Sendable>: Sendable {
    private struct Entry: Sendable {
        weak var object: Object?
    }

    private var entries: [Key: Entry] = [:]
    /// The size at which the next insertion first drops dead entries; doubling it keeps the
    /// sweeps' cost constant per insertion.
    private var sweepAt = 64

    /// The live object under `key`, if any.
    subscript(key: Key) -> Object? { entries[key]?.object }

    mutating func insert(_ object: Object, for key: Key) {
        entries[key] = Entry(object: object)
        if entries.count >= sweepAt {
            entries = entries.filter { $0.value.object != nil }
            sweepAt = max(64, 2 * entries.count)
        }
    }
}
