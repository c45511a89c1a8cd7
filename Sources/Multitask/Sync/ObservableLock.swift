import Synchronization

/// A lock whose acquisitions and releases the deadlock detector can follow (``Lock`` and
/// every primitive used as a lock).
///
/// A conforming type keeps its words in a ``SyncStorage``, which holds the detector's
/// ``LockObservationSlot`` and reports the lock's death, and routes its acquire, try-acquire
/// and release through ``LockObservation``.
protocol ObservableLock: AnyObject, Sendable {
    /// The name given at creation, shown in reports.
    var name: String? { get }
    /// Where the lock was created, shown in reports.
    var creationSite: CreationSite { get }
    /// The lock's words, which carry the detector's id for it.
    var storage: SyncStorage { get }
}

extension ObservableLock {
    /// The lock as misuse messages name it: its name in quotes, else where it was created.
    var debugName: String { name.map { "'\($0)'" } ?? "created at \(creationSite)" }

    /// The detector's id for this lock, 0 until the detector first sees it.
    var observationID: UInt64 { storage.observation.id }

    /// Gives the lock `id` unless it already has one; returns the id it has now.
    func assignObservationID(_ id: UInt64) -> UInt64 { storage.observation.assign(id) }
}

/// The deadlock detector's id for one lock, stored in the lock's ``SyncStorage``.
///
/// 0 means the detector never saw the lock, so its `deinit` has nothing to tell. Ids are never
/// reused, so nothing the detector cached about a dead lock can be mistaken for a new one.
struct LockObservationSlot: ~Copyable, Sendable {
    private let value = Atomic<UInt64>(0)

    init() {}

    var id: UInt64 { value.load(ordering: .acquiring) }

    func assign(_ id: UInt64) -> UInt64 {
        let (exchanged, original) = value.compareExchange(expected: 0, desired: id, ordering: .acquiringAndReleasing)
        return exchanged ? id : original
    }
}
