import Synchronization

/// The task type a pool's submitters used last, found without the inbox's lock: submitting a
/// task of a known type then takes the lock once (to queue it, numbered there: see
/// ``PoolInbox/submit(_:)``) instead of twice, and hashes nothing.
///
/// An ``Entry`` is made once per type, when the type's codecs are installed, and kept by the
/// inbox for its whole life; it never changes, so publishing it through one atomic word (with
/// release and acquire ordering) is enough for another thread to read it.
final class PoolRecentType: Sendable {
    /// What a submitter needs of a type whose codecs are made.
    final class Entry: Sendable {
        let key: ObjectIdentifier
        let typeID: UInt32
        /// The type's display name, for error messages.
        let typeName: String
        let codecs: PoolCodecsReference

        /// The entry of the type `key` names, numbered and named by `ticket`.
        init(key: ObjectIdentifier, ticket: PoolInbox.Ticket, codecs: PoolCodecsReference) {
            (self.key, self.codecs) = (key, codecs)
            (typeID, typeName) = (ticket.typeID, ticket.typeName)
        }
    }

    /// The last entry published, unretained (its inbox keeps it); 0: none yet.
    private let recent = Atomic<UInt>(0)

    init() {}

    /// Makes `entry` (which its inbox keeps) the one ``find(_:)`` sees.
    func publish(_ entry: Entry) {
        recent.store(UInt(bitPattern: Unmanaged.passUnretained(entry).toOpaque()), ordering: .releasing)
    }

    /// The number, display name and codecs of `type` if it is the type published last.
    func find(_ type: any PoolTask.Type) -> (typeID: UInt32, typeName: String, codecs: PoolCodecsReference)? {
        let bits = recent.load(ordering: .acquiring)
        guard let pointer = UnsafeRawPointer(bitPattern: bits) else { return nil }
        return Unmanaged<Entry>.fromOpaque(pointer)._withUnsafeGuaranteedRef { entry in
            entry.key == ObjectIdentifier(type) ? (entry.typeID, entry.typeName, entry.codecs) : nil
        }
    }
}
