/// The counting-semaphore algorithm on two words: the value, and the number of threads that
/// registered to sleep on it.
///
/// Acquire decrements a positive value with a compare-and-swap; a thread that finds zero
/// spins briefly, then registers and sleeps on the value word. Release adds to the value and
/// makes the wake syscall only when someone is registered. The two sides touch the two words
/// in opposite orders, so those accesses are sequentially consistent (free on x86, where
/// every atomic read-modify-write is a full barrier anyway).
struct SemaphoreCore: Sendable {
    let value: FutexWord
    let sleepers: FutexWord

    /// Takes one unit if the value is positive; never blocks.
    @inline(__always)
    func tryAcquire() -> Bool {
        var current = value.loadSequentiallyConsistent()
        while current > 0 {
            let result = value.compareExchangeSequentiallyConsistent(current, current - 1)
            if result.exchanged { return true }
            current = result.original
        }
        return false
    }

    /// Takes one unit, waiting until `deadline` (nil: forever); `false` on timeout.
    @inline(__always)
    func acquire(until deadline: Deadline?) -> Bool {
        if tryAcquire() { return true }
        return acquireSlow(until: deadline)
    }

    @inline(never)
    func acquireSlow(until deadline: Deadline?) -> Bool {
        // Register as a sleeper only after the spin: a registered sleeper makes every release
        // pay a wake-up system call. Registered, try once more before the first sleep.
        var registered = false
        defer { if registered { sleepers.subtract(1) } }
        return value.park(until: deadline, spin: .signal, poll: { value.loadRelaxed() > 0 && tryAcquire() }) {
            if tryAcquire() { return .done }
            if registered { return .sleep(expecting: 0) }
            sleepers.addSequentiallyConsistent(1)
            registered = true
            return .retry
        }
    }

    /// Adds `count` units unless the value would exceed `bound`, in which case nothing
    /// changes and the result is `false`.
    func release(_ count: UInt32, bound: UInt32) -> Bool {
        var current = value.load()
        repeat {
            guard count <= bound, current <= bound - count else { return false }
            let result = value.compareExchangeSequentiallyConsistent(current, current + count)
            if result.exchanged { break }
            current = result.original
        } while true
        if sleepers.loadSequentiallyConsistent() != 0 { value.wake(Int32(clamping: count)) }
        return true
    }

    /// The value right now (a snapshot).
    var currentValue: UInt32 { value.load() }
}

/// A counting semaphore with Python's `threading.Semaphore` semantics.
///
/// It holds a number of units: `acquire` takes one, waiting while there are none, and
/// `release` gives units back, waking as many waiters. Any thread may release, and release
/// is not limited by the initial value (use ``BoundedSemaphore`` for that). Release without
/// waiters makes no system call; a waiter spins briefly before it sleeps.
///
/// `Semaphore(value:)` synchronizes the threads of one process; `Semaphore(value:placement:
/// .shared)` lives in shared memory and also synchronizes the threads of fork children
/// started after it.
///
/// ```swift
/// let slots = Semaphore(value: 3)           // at most 3 threads inside at once
/// slots.withLock { download(url) }
/// if slots.acquire(timeout: .seconds(1)) { defer { slots.release() }; work() }
/// ```
///
/// When a file imports Foundation or Glibc too, write `Multitask.Semaphore`: the Glibc overlay
/// declares `typealias Semaphore = UnsafeMutablePointer<sem_t>`.
// @unchecked: every property is immutable; the state lives in atomic futex words.
public class Semaphore: Lockable, LockShell, @unchecked Sendable {
    let storage: SyncStorage
    private let core: SemaphoreCore
    /// The largest value `release` may reach (the initial value for a bounded semaphore).
    let bound: UInt32
    /// The value the semaphore was created with.
    let initialValue: Int
    /// The type misuse messages name: `BoundedSemaphore` for a bounded one, whichever class
    /// wraps it.
    final let kind: StaticString
    /// The name given at creation, used in diagnostics.
    public let name: String?
    /// Where the semaphore was created.
    public let creationSite: CreationSite

    /// Creates a process-local semaphore holding `value` units (at least 0).
    public convenience init(value: Int = 1, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) {
        self.init(value: value, bounded: false, name: name, site: CreationSite(file: file, line: line),
                  storage: Semaphore.localStorage())
    }

    /// Whether the deadlock detector treats this semaphore as a lock: one created with value 1
    /// is a mutex in all but name (see ``DeadlockDetector``).
    final let observedAsLock: Bool
    /// The semaphore's name in handles (a bounded one's too).
    static var kind: StaticString { "Semaphore" }
    /// The number of words a semaphore keeps its state in.
    static let wordCount = 2

    /// A semaphore on two words of `storage`, process-local or placed in shared memory (see
    /// `Semaphore(value:placement:)`). `adopted` words already hold a semaphore created with
    /// `value` (one decoded from a handle): its units are left as they are.
    init(value: Int, bounded: Bool, name: String?, site: CreationSite, storage: SyncStorage, adopted: Bool = false) {
        observedAsLock = value == 1
        let kind: StaticString = bounded ? "BoundedSemaphore" : "Semaphore"
        guard let initial = UInt32(exactly: value) else {
            fatalError("\(kind)(value: \(value)): the value must be in 0...\(UInt32.max)")
        }
        self.storage = storage
        core = SemaphoreCore(value: storage.word(0), sleepers: storage.word(1))
        if !adopted { core.value.store(initial) }
        initialValue = value
        bound = bounded ? initial : UInt32.max
        self.kind = kind
        self.name = name
        self.creationSite = site
    }

    /// The semaphore a handle refers to: see `Semaphore(value:placement:)`. Throws if the
    /// handle is not a semaphore's, its memory is not available in this process, or it is an
    /// unbounded semaphore decoded as a ``BoundedSemaphore``.
    public required convenience init(from decoder: any Decoder) throws {
        try self.init(handleFrom: decoder)
    }

    /// The counting algorithm under the shell (``LockShell``): a unit is a lock.
    @inline(__always)
    final var raw: SemaphoreCore { core }

    /// Takes one unit, waiting as long as it takes.
    @inline(__always)
    public final func acquire(file: StaticString = #fileID, line: UInt = #line) {
        shellAcquire(file: file, line: line)
    }

    /// Waits at most `timeout` for a unit; returns whether one was taken. A negative timeout is a programmer error.
    public final func acquire(timeout: Duration, file: StaticString = #fileID, line: UInt = #line) -> Bool {
        shellAcquire(until: .timeout(timeout, of: "\(kind).acquire(timeout:)"), at: AcquisitionSite(file: file, line: line))
    }

    /// Takes a unit if one is available right now; never blocks.
    public final func tryAcquire(file: StaticString = #fileID, line: UInt = #line) -> Bool {
        shellTryAcquire(at: AcquisitionSite(file: file, line: line))
    }

    /// Gives back one unit, waking a waiter if there is one.
    public final func release() { release(count: 1) }

    /// Gives back `count` units (at least 1), waking up to `count` waiters. For a
    /// ``BoundedSemaphore``, going above the initial value stops the program.
    public final func release(count: Int) {
        checkProcess()
        guard count >= 1, let units = UInt32(exactly: count) else {
            fatalError("\(kind).release(count: \(count)): the count must be in 1...\(UInt32.max)")
        }
        announceRelease()
        if !core.release(units, bound: bound) { tooManyReleases(count) }
    }

    /// The number of units available right now (a snapshot).
    public final var value: Int { Int(core.currentValue) }

    @inline(never)
    private func tooManyReleases(_ count: Int) -> Never {
        fatalError("\(kind).release(count: \(count)): released too many times; the semaphore \(debugName) holds \(core.currentValue) of at most \(bound) units")
    }
}
