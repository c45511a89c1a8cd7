import Synchronization

extension SyncStorage {
    /// `count` zeroed futex words placed in shared memory (see ``SharedArena``).
    static func placedInSharedMemory(words count: Int) -> SyncStorage {
        let placement = SharedArena.allocate(byteCount: count * MemoryLayout<UInt32>.stride)
        // The kernel zero-fills new shared pages, and a zero `Atomic<UInt32>` is a zero word.
        let words = placement.pointer.bindMemory(to: Atomic<UInt32>.self, capacity: count)
        return SyncStorage(sharedWords: words, count: count, owner: placement.owner)
    }

    /// Storage for a primitive of `count` words at `placement`.
    static func make(words count: Int, placement: Placement) -> SyncStorage {
        switch placement {
        case .local: SyncStorage(localWords: count)
        case .shared: placedInSharedMemory(words: count)
        }
    }
}

extension Lock {
    /// Creates an unlocked lock that synchronizes threads of one process (`.local`, the same
    /// as `Lock()`) or of every process sharing it (`.shared`).
    ///
    /// A shared lock lives in shared memory: children forked after its creation use the very
    /// same lock. It records which process holds it; if that process dies holding it, the next
    /// acquirer takes it over within about 100 ms instead of waiting forever — see
    /// ``acquireReportingDeadOwner(timeout:)``.
    ///
    /// ```swift
    /// let lock = Lock(placement: .shared)
    /// let counter = SharedValue(0, lock: false)
    /// // in every process: lock.withLock { counter.store(counter.load() + 1) }
    /// ```
    public convenience init(placement: Placement, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) {
        self.init(storage: .make(words: 1, placement: placement), name: name, creationSite: CreationSite(file: file, line: line))
    }
}
