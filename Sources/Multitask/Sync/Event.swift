/// A flag that threads can wait for, with Python's `threading.Event` semantics.
///
/// `set()` wakes every waiter and keeps the flag up until `clear()`; `wait` returns at once
/// while the flag is set. A waiter spins briefly before sleeping, so a hand-off to a thread
/// running on another core takes well under a microsecond.
///
/// `Event()` synchronizes the threads of one process; `Event(placement: .shared)` lives in
/// shared memory and also synchronizes the threads of fork children started after it.
///
/// ```swift
/// let ready = Event()
/// let worker = Thread { ready.wait(); print("go") }
/// worker.start()
/// ready.set()
/// ```
public final class Event: SyncPrimitive {
    // Word 0: bit 0 = flag, bit 1 = a waiter may be sleeping, bits 2... = count of set()
    // calls (wrapping). The count lets a waiter notice a set() that a clear() undid before it
    // woke up: Python's wait returns true once the flag was set after the wait started.
    @usableFromInline static var flag: UInt32 { 1 }
    @usableFromInline static var sleepers: UInt32 { 2 }
    @usableFromInline static var oneSet: UInt32 { 4 }
    @usableFromInline let storage: SyncStorage
    @usableFromInline let word: FutexWord

    /// Creates a process-local event whose flag is down.
    public convenience init() {
        self.init(storage: Self.localStorage())
    }

    /// The event's name in messages and handles.
    static var kind: StaticString { "Event" }
    /// The number of words an event keeps its state in.
    static let wordCount = 1

    /// An event on one word of `storage`, process-local or placed in shared memory (see
    /// `Event(placement:)`).
    init(storage: SyncStorage) {
        self.storage = storage
        word = storage.word(0)
    }

    /// Whether the flag is up.
    @inlinable
    public var isSet: Bool { word.load() & Self.flag != 0 }

    /// Whether a waiter has gone (or is about to go) to sleep; for tests.
    var hasSleepers: Bool { word.load() & Self.sleepers != 0 }

    /// Raises the flag and wakes every waiter.
    ///
    /// Inlined into the caller: one branch on the fork generation (the process check), the
    /// flag's compare-and-exchange, and a call only when a waiter may be asleep.
    @inlinable
    public func set() {
        if _fastPath(storage.generation == ForkGeneration.current) { return raiseFlag() }
        setThroughShell()
    }

    /// ``set()`` in a process other than the creator's: the process check (which admits
    /// shared words), then the flag.
    @usableFromInline @inline(never)
    func setThroughShell() {
        checkProcess()
        raiseFlag()
    }

    /// Raises the flag; wakes the sleepers if any.
    @inlinable @inline(__always)
    func raiseFlag() {
        var state = word.load()
        while true {
            let raised = ((state & ~(Self.flag | Self.sleepers)) &+ Self.oneSet) | Self.flag
            let result = word.compareExchange(state, raised)
            if result.exchanged { break }
            state = result.original
        }
        if state & Self.sleepers != 0 {
            word.wakeAll()
        } else if state & Self.flag == 0 {
            Self.partnerWasAwake()
        }
    }

    /// Called by a `set()` that raised the flag and had nobody to wake: a waiter, if any, is
    /// awake (spinning), so this thread's next signalling wait probes (``SpinEstimate``).
    @usableFromInline @inline(never)
    static func partnerWasAwake() { SpinPolicy.signal.hintPartnerAwake() }

    /// Lowers the flag; later `wait` calls block until the next `set()`.
    public func clear() {
        checkProcess()
        word.bitAnd(~Self.flag)
    }

    /// Blocks until the flag is up.
    public func wait() { _ = wait(until: nil) }

    /// Blocks until the flag is up or `timeout` passes; returns whether the flag is up. A negative timeout is a programmer error.
    @discardableResult
    public func wait(timeout: Duration) -> Bool { wait(until: .timeout(timeout, of: "Event.wait(timeout:)")) }

    /// Set now, or set (and maybe cleared) since the wait that read `start` began.
    @inline(__always)
    private static func released(_ state: UInt32, since start: UInt32) -> Bool {
        state & flag != 0 || (state ^ start) >> 2 != 0
    }

    func wait(until deadline: Deadline?) -> Bool {
        checkProcess()
        let start = word.load()
        if start & Self.flag != 0 { return true }
        // The word as a local value and `released` a static function: park's closures then
        // capture plain values. Capturing `self` (through the `word` property) or a closure
        // value made every wait retain and release (3× the ping-pong time).
        let word = self.word
        return word.park(until: deadline, spin: .signal, poll: { Self.released(word.loadRelaxed(), since: start) }) {
            let state = word.load()
            if Self.released(state, since: start) { return .done }
            if state & Self.sleepers != 0 { return .sleep(expecting: state) }
            let marked = state | Self.sleepers
            return word.compareExchange(state, marked).exchanged ? .sleep(expecting: marked) : .retry
        }
    }
}
