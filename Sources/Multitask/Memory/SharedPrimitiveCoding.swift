// The synchronization primitives are `Codable` as handles (``SharedObjectHandle``): a shared
// primitive encodes where its words are, and decoding wraps the same words, through the same
// storage when this process already has them (``SharedObjectRegistry``). A process-local one
// throws `EncodingError.invalidValue`. Encoding is ``SharedWordsCoding/encodeHandle(to:)`` for
// every primitive; what each one carries besides its words, and checks on arrival, is below.

/// A shared primitive that a handle decodes to through ``init(handleFrom:)``: every one but
/// ``Semaphore``, whose initializers a subclass inherits.
protocol HandleDecodable: SharedWordsCoding {
    /// The primitive on decoded `storage` with the handle's `configuration`; throws when the
    /// configuration does not fit the words (reported at `codingPath`).
    init(storage: SyncStorage, handleConfiguration configuration: HandleConfiguration, codingPath: [any CodingKey]) throws
}

extension HandleDecodable {
    /// `init(from:)`: the primitive a handle of this kind refers to.
    init(handleFrom decoder: any Decoder) throws {
        let (storage, configuration) = try Self.decodeHandle(from: decoder)
        try self.init(storage: storage, handleConfiguration: configuration, codingPath: decoder.codingPath)
    }
}

/// A lock whose handle carries its name and creation site besides its words (``Lock``,
/// ``RLock``), so a decoded lock is reported as the one it is.
protocol IdentifiedLock: LockShell, HandleDecodable where HandleConfiguration == LockIdentity {
    init(storage: SyncStorage, name: String?, creationSite: CreationSite)
}

extension IdentifiedLock {
    /// The lock on decoded words, named as the original.
    init(storage: SyncStorage, handleConfiguration identity: LockIdentity, codingPath: [any CodingKey]) {
        self.init(storage: storage, name: identity.name, creationSite: identity.site)
    }

    /// The lock's name and creation site.
    var handleConfiguration: LockIdentity { LockIdentity(name: name, site: creationSite) }
}

extension Lock: Codable, IdentifiedLock {
    /// The lock a handle refers to: the same lock, held for both when held through either.
    /// Throws if the handle is not a lock's or its memory is not available in this process.
    public convenience init(from decoder: any Decoder) throws { try self.init(handleFrom: decoder) }

    /// Encodes a handle to this lock (its name and creation site travel with it); throws
    /// `EncodingError.invalidValue` for a process-local lock.
    public func encode(to encoder: any Encoder) throws { try encodeHandle(to: encoder) }
}

extension RLock: Codable, IdentifiedLock {
    /// The re-entrant lock a handle refers to: the same lock, owned per thread whichever
    /// object a thread acquires it through. Throws if the handle is not an `RLock`'s or its
    /// memory is not available in this process.
    public convenience init(from decoder: any Decoder) throws { try self.init(handleFrom: decoder) }

    /// Encodes a handle to this lock (its name and creation site travel with it); throws
    /// `EncodingError.invalidValue` for a process-local lock.
    public func encode(to encoder: any Encoder) throws { try encodeHandle(to: encoder) }
}

/// What a semaphore's handle carries besides its words.
struct SemaphoreConfiguration: Codable {
    var value: Int
    var bounded: Bool
    var identity: LockIdentity
}

extension Semaphore: Codable, SharedWordsCoding {
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
                  name: configuration.identity.name, site: configuration.identity.site, storage: storage, adopted: true)
    }

    /// The initial value, the bound, the name and the creation site.
    var handleConfiguration: SemaphoreConfiguration {
        SemaphoreConfiguration(value: initialValue, bounded: self is BoundedSemaphore || bound != UInt32.max,
                               identity: LockIdentity(name: name, site: creationSite))
    }

    /// Encodes a handle to this semaphore (its initial value, bound, name and creation site
    /// travel with it); throws `EncodingError.invalidValue` for a process-local semaphore.
    public func encode(to encoder: any Encoder) throws { try encodeHandle(to: encoder) }
}

extension Event: Codable, HandleDecodable {
    /// An event on decoded words: the flag is all there is.
    convenience init(storage: SyncStorage, handleConfiguration: NoConfiguration, codingPath: [any CodingKey]) {
        self.init(storage: storage)
    }

    /// Nothing: the flag lives in the words.
    var handleConfiguration: NoConfiguration { NoConfiguration() }

    /// The event a handle refers to: the same flag. Throws if the handle is not an event's or
    /// its memory is not available in this process.
    public convenience init(from decoder: any Decoder) throws { try self.init(handleFrom: decoder) }

    /// Encodes a handle to this event; throws `EncodingError.invalidValue` for a
    /// process-local event.
    public func encode(to encoder: any Encoder) throws { try encodeHandle(to: encoder) }
}

/// What a barrier's handle carries besides its words. The action, a closure, cannot travel.
struct BarrierConfiguration: Codable {
    var parties: Int
    var timeout: Duration?
}

extension Barrier: Codable, HandleDecodable {
    /// A barrier on decoded words, with **no action**; throws unless the handle's parties
    /// match the words and its timeout is not negative.
    convenience init(storage: SyncStorage, handleConfiguration configuration: BarrierConfiguration, codingPath: [any CodingKey]) throws {
        // The creator stored `parties` in the words; the handle must agree with them.
        guard configuration.parties >= 1, storage.word(Self.partiesWord).load() == configuration.parties else {
            throw SharedObjectRegistry.corrupted(codingPath, "the barrier handle's \(configuration.parties) parties do not match the barrier in shared memory")
        }
        if let timeout = configuration.timeout, timeout < .zero {
            throw SharedObjectRegistry.corrupted(codingPath, "the barrier handle's default timeout is negative")
        }
        self.init(parties: configuration.parties, action: nil, timeout: configuration.timeout, storage: storage)
    }

    /// The parties and the default timeout; the action does not travel.
    var handleConfiguration: BarrierConfiguration { BarrierConfiguration(parties: parties, timeout: timeout) }

    /// The barrier a handle refers to, with the same parties and default timeout and **no
    /// action** (a closure cannot cross processes; the original's action still runs when its
    /// process's thread arrives last). Throws if the handle is not a barrier's or its memory
    /// is not available in this process.
    public convenience init(from decoder: any Decoder) throws { try self.init(handleFrom: decoder) }

    /// Encodes a handle to this barrier (its parties and default timeout travel with it, its
    /// action does not); throws `EncodingError.invalidValue` for a process-local barrier.
    public func encode(to encoder: any Encoder) throws { try encodeHandle(to: encoder) }
}

/// What a condition's handle carries besides its words: the handle of its lock, whichever
/// kind it is.
struct ConditionConfiguration: Codable {
    var lock: Lock?
    var rlock: RLock?
}

extension Condition: Codable, HandleDecodable {
    /// A condition on decoded words and the lock decoded with them; throws unless the handle
    /// carries exactly one lock.
    convenience init(storage: SyncStorage, handleConfiguration configuration: ConditionConfiguration, codingPath: [any CodingKey]) throws {
        switch (configuration.lock, configuration.rlock) {
        case (let lock?, nil): self.init(underlying: .lock(lock), storage: storage)
        case (nil, let lock?): self.init(underlying: .rlock(lock), storage: storage)
        default: throw SharedObjectRegistry.corrupted(codingPath, "the condition handle must carry exactly one lock")
        }
    }

    /// The handle of the condition's lock.
    var handleConfiguration: ConditionConfiguration {
        switch underlying {
        case .lock(let lock): ConditionConfiguration(lock: lock)
        case .rlock(let lock): ConditionConfiguration(rlock: lock)
        }
    }

    /// The condition a handle refers to, on the same lock (decoded from the handle too).
    /// Throws if the handle is not a condition's or its memory is not available in this
    /// process.
    public convenience init(from decoder: any Decoder) throws { try self.init(handleFrom: decoder) }

    /// Encodes a handle to this condition and its lock; throws `EncodingError.invalidValue`
    /// for a process-local condition.
    public func encode(to encoder: any Encoder) throws { try encodeHandle(to: encoder) }
}
