// The synchronization primitives are `Codable` as handles (``SharedObjectHandle``): a shared
// primitive encodes where its words are, and decoding wraps the same words, through the same
// storage when this process already has them (``SharedObjectRegistry``). A process-local one
// throws `EncodingError.invalidValue`. What each one carries besides its words is below.

/// A lock whose handle carries its name and creation site besides its words (``Lock``,
/// ``RLock``), so a decoded lock is reported as the one it is.
protocol IdentifiedLockCoding: ObservableLock, SharedWordsCoding where HandleConfiguration == LockIdentity {
    init(storage: SyncStorage, name: String?, creationSite: CreationSite)
}

extension IdentifiedLockCoding {
    /// `init(from:)`: the lock a handle of this kind refers to.
    init(lockHandleFrom decoder: any Decoder) throws {
        let (storage, identity) = try Self.decodeHandle(from: decoder)
        self.init(storage: storage, name: identity.name, creationSite: identity.site)
    }

    /// `encode(to:)`: a handle of this lock.
    func encodeLockHandle(to encoder: any Encoder) throws {
        try encodeHandle(LockIdentity(name: name, site: creationSite), to: encoder)
    }
}

extension Lock: Codable, IdentifiedLockCoding {
    static let handleKind = "Lock"

    /// The lock a handle refers to: the same lock, held for both when held through either.
    /// Throws if the handle is not a lock's or its memory is not available in this process.
    public convenience init(from decoder: any Decoder) throws { try self.init(lockHandleFrom: decoder) }

    /// Encodes a handle to this lock (its name and creation site travel with it); throws
    /// `EncodingError.invalidValue` for a process-local lock.
    public func encode(to encoder: any Encoder) throws { try encodeLockHandle(to: encoder) }
}

extension RLock: Codable, IdentifiedLockCoding {
    static let handleKind = "RLock"

    /// The re-entrant lock a handle refers to: the same lock, owned per thread whichever
    /// object a thread acquires it through. Throws if the handle is not an `RLock`'s or its
    /// memory is not available in this process.
    public convenience init(from decoder: any Decoder) throws { try self.init(lockHandleFrom: decoder) }

    /// Encodes a handle to this lock (its name and creation site travel with it); throws
    /// `EncodingError.invalidValue` for a process-local lock.
    public func encode(to encoder: any Encoder) throws { try encodeLockHandle(to: encoder) }
}

/// What a semaphore's handle carries besides its words.
struct SemaphoreConfiguration: Codable {
    var value: Int
    var bounded: Bool
    var identity: LockIdentity
}

extension Semaphore: Codable, SharedWordsCoding {
    typealias HandleConfiguration = SemaphoreConfiguration

    static let handleKind = "Semaphore"

    /// `Semaphore.init(from:)`: the semaphore a handle refers to, bounded if the original is,
    /// with its units left as they are.
    convenience init(handleFrom decoder: any Decoder) throws {
        let (storage, configuration) = try Self.decodeHandle(from: decoder)
        guard UInt32(exactly: configuration.value) != nil else {
            throw SharedObjectRegistry.corrupted(decoder.codingPath, "the semaphore handle's value \(configuration.value) is out of range")
        }
        guard configuration.bounded || !(Self.self is BoundedSemaphore.Type) else {
            throw SharedObjectRegistry.corrupted(decoder.codingPath, "a handle of an unbounded Semaphore cannot be decoded as a BoundedSemaphore")
        }
        self.init(value: configuration.value, bounded: configuration.bounded,
                  kind: configuration.bounded ? "BoundedSemaphore" : "Semaphore",
                  name: configuration.identity.name, site: configuration.identity.site, storage: storage, adopted: true)
    }

    /// Encodes a handle to this semaphore (its initial value, bound, name and creation site
    /// travel with it); throws `EncodingError.invalidValue` for a process-local semaphore.
    public func encode(to encoder: any Encoder) throws {
        let configuration = SemaphoreConfiguration(value: initialValue, bounded: self is BoundedSemaphore || bound != UInt32.max,
                                                   identity: LockIdentity(name: name, site: creationSite))
        try encodeHandle(configuration, to: encoder)
    }
}

extension Event: Codable, SharedWordsCoding {
    typealias HandleConfiguration = NoConfiguration

    static let handleKind = "Event"

    /// The event a handle refers to: the same flag. Throws if the handle is not an event's or
    /// its memory is not available in this process.
    public convenience init(from decoder: any Decoder) throws {
        let (storage, _) = try Self.decodeHandle(from: decoder)
        self.init(storage: storage)
    }

    /// Encodes a handle to this event; throws `EncodingError.invalidValue` for a
    /// process-local event.
    public func encode(to encoder: any Encoder) throws {
        try encodeHandle(NoConfiguration(), to: encoder)
    }
}

/// What a barrier's handle carries besides its words. The action, a closure, cannot travel.
struct BarrierConfiguration: Codable {
    var parties: Int
    var timeout: Duration?
}

extension Barrier: Codable, SharedWordsCoding {
    typealias HandleConfiguration = BarrierConfiguration

    static let handleKind = "Barrier"

    /// The barrier a handle refers to, with the same parties and default timeout and **no
    /// action** (a closure cannot cross processes; the original's action still runs when its
    /// process's thread arrives last). Throws if the handle is not a barrier's or its memory
    /// is not available in this process.
    public convenience init(from decoder: any Decoder) throws {
        let (storage, configuration) = try Self.decodeHandle(from: decoder)
        // The creator stored `parties` in the words; the handle must agree with them.
        guard configuration.parties >= 1, storage.word(Self.partiesWord).load() == configuration.parties else {
            throw SharedObjectRegistry.corrupted(decoder.codingPath, "the barrier handle's \(configuration.parties) parties do not match the barrier in shared memory")
        }
        if let timeout = configuration.timeout, timeout < .zero {
            throw SharedObjectRegistry.corrupted(decoder.codingPath, "the barrier handle's default timeout is negative")
        }
        self.init(parties: configuration.parties, action: nil, timeout: configuration.timeout, storage: storage)
    }

    /// Encodes a handle to this barrier (its parties and default timeout travel with it, its
    /// action does not); throws `EncodingError.invalidValue` for a process-local barrier.
    public func encode(to encoder: any Encoder) throws {
        try encodeHandle(BarrierConfiguration(parties: parties, timeout: timeout), to: encoder)
    }
}

/// What a condition's handle carries besides its words: the handle of its lock, whichever
/// kind it is.
struct ConditionConfiguration: Codable {
    var lock: Lock?
    var rlock: RLock?
}

extension Condition: Codable, SharedWordsCoding {
    typealias HandleConfiguration = ConditionConfiguration

    static let handleKind = "Condition"

    /// The condition a handle refers to, on the same lock (decoded from the handle too).
    /// Throws if the handle is not a condition's or its memory is not available in this
    /// process.
    public convenience init(from decoder: any Decoder) throws {
        let (storage, configuration) = try Self.decodeHandle(from: decoder)
        switch (configuration.lock, configuration.rlock) {
        case (let lock?, nil): self.init(underlying: .lock(lock), storage: storage)
        case (nil, let lock?): self.init(underlying: .rlock(lock), storage: storage)
        default: throw SharedObjectRegistry.corrupted(decoder.codingPath, "the condition handle must carry exactly one lock")
        }
    }

    /// Encodes a handle to this condition and its lock; throws `EncodingError.invalidValue`
    /// for a process-local condition.
    public func encode(to encoder: any Encoder) throws {
        let configuration = switch underlying {
        case .lock(let lock): ConditionConfiguration(lock: lock)
        case .rlock(let lock): ConditionConfiguration(rlock: lock)
        }
        try encodeHandle(configuration, to: encoder)
    }
}
