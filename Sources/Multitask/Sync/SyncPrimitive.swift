/// What every synchronization primitive (``Lock``, ``RLock``, ``Semaphore``, ``Condition``,
/// ``Event``, ``Barrier``) is built on: its futex words in a ``SyncStorage`` and the name its
/// messages give it.
///
/// The shell written once here (and in the `Memory` layer, for placement and handles) checks
/// the process, places the words and encodes them; each primitive's own file keeps only its
/// state machine.
protocol SyncPrimitive: AnyObject, Sendable {
    /// The primitive's type as messages and handles name it ("Lock", "Event", …).
    static var kind: StaticString { get }
    /// The number of futex words the primitive keeps its state in.
    static var wordCount: Int { get }
    /// The primitive's words.
    var storage: SyncStorage { get }
    /// This primitive as misuse messages name its type: ``kind`` unless the instance says
    /// otherwise (a bounded semaphore seen through a `Semaphore`).
    var kind: StaticString { get }
}

extension SyncPrimitive {
    /// The type's ``kind``.
    var kind: StaticString { Self.kind }

    /// Traps when process-local words are used in a process other than their creator's.
    @inline(__always)
    func checkProcess() { storage.checkProcess(kind) }

    /// ``wordCount`` zeroed words of new process-local storage.
    static func localStorage() -> SyncStorage { SyncStorage(localWords: wordCount) }
}
