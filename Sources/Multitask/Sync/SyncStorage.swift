import Synchronization

/// The memory that holds a primitive's futex words, and where it lives.
///
/// Process-local storage is a private heap allocation and uses private futexes; it records the
/// fork generation it was created in, so a copy used inside a fork child is caught instead of
/// silently failing to exclude the parent. Process-shared storage (placed in a shared-memory
/// segment by the `Memory` layer) keeps its segment alive through `owner`.
///
/// The deadlock detector knows a lock by its storage (``observation``): objects that wrap the
/// same shared words in one process (a lock and the copies decoded from its handle) share one
/// storage, and so are one lock to the detector.
// @unchecked: every property is immutable; the words behind `base` are atomics.
@usableFromInline
final class SyncStorage: @unchecked Sendable {
    /// Invariant: `count` initialized words, valid while this object lives.
    let base: UnsafeMutablePointer<Atomic<UInt32>>
    let count: Int
    let isShared: Bool
    /// The fork generation of the process that created local storage; ``sharedGeneration``
    /// for shared storage, which no process is in, so that shared words never take the
    /// inlined fast paths (``admitsFastPath``).
    @usableFromInline let generation: UInt32

    /// The generation shared storage records: no fork count reaches it, and it is not the
    /// value ``LockObservationSwitch/fastPathGeneration`` takes while the detector is on.
    static var sharedGeneration: UInt32 { .max }
    /// Keeps shared memory mapped; nil for local storage, which this object frees.
    let owner: AnyObject?
    /// The deadlock detector's id for the lock these words make up.
    let observation = LockObservationSlot()

    /// Allocates `count` zeroed process-local words.
    init(localWords count: Int) {
        let base = UnsafeMutablePointer<Atomic<UInt32>>.allocate(capacity: count)
        for i in 0..<count { (base + i).initialize(to: Atomic(0)) }
        self.base = base
        self.count = count
        self.isShared = false
        self.generation = ForkGeneration.current
        self.owner = nil
    }

    /// Wraps `count` words that live in shared memory kept mapped by `owner`.
    init(sharedWords base: UnsafeMutablePointer<Atomic<UInt32>>, count: Int, owner: AnyObject) {
        self.base = base
        self.count = count
        self.isShared = true
        self.generation = Self.sharedGeneration
        self.owner = owner
    }

    deinit {
        LockObservation.lockDidDie(observation)
        if owner == nil {
            base.deinitialize(count: count)
            base.deallocate()
        }
    }

    /// The word at `index`.
    @inline(__always)
    func word(_ index: Int) -> FutexWord {
        FutexWord(pointer: base + index, isShared: isShared)
    }

    /// Whether a primitive may take its inlined fast path: the detector is off and these are
    /// process-local words used in their creator's process. One compare with one global word
    /// (``LockObservationSwitch/fastPathGeneration``: the fork generation while the detector
    /// is off) and one predictable branch for both checks of the shell
    /// (``SyncPrimitive/checkProcess()`` and ``LockObservation/isOn``); when it is false the
    /// shell decides (shared words, whose ``generation`` matches no process, always take the
    /// shell's path, which admits them in every process).
    @inlinable @inline(__always)
    var admitsFastPath: Bool {
        generation == LockObservationSwitch.fastPathGeneration
    }

    /// Traps when process-local storage is used in a process other than its creator's.
    @inline(__always)
    func checkProcess(_ kind: StaticString) {
        if !isShared && generation != ForkGeneration.current {
            crossedProcess(kind)
        }
    }

    @inline(never)
    private func crossedProcess(_ kind: StaticString) -> Never {
        fatalError("\(kind) is process-local and was used in a forked child process; create it with `.shared` placement to use it across processes")
    }
}
