/// The library's process-wide functions and settings (Python's `multiprocessing` module
/// functions, `os.getpid`, `sys.exit`).
///
/// This namespace has the module's name, so `Multitask.X` looks inside it first. The
/// typealiases below keep `Multitask.Process`, `Multitask.Thread`, `Multitask.Timer`,
/// `Multitask.Semaphore`, … working: that spelling is how a file that also imports Foundation
/// (which re-exports Glibc) names our types whose names Foundation or Glibc use too.
public enum Multitask {
    /// The library's `Process`, spelled `Multitask.Process` (see above).
    public typealias Process = _MultitaskProcess
    /// The library's `Thread`, spelled `Multitask.Thread` (see above).
    public typealias Thread = _MultitaskThread
    /// The library's `Timer`, spelled `Multitask.Timer` (see above).
    public typealias Timer = _MultitaskTimer
    /// The library's `Semaphore`, spelled `Multitask.Semaphore` (see above).
    public typealias Semaphore = _MultitaskSemaphore
    /// The library's `BoundedSemaphore`, spelled `Multitask.BoundedSemaphore` (see above).
    public typealias BoundedSemaphore = _MultitaskBoundedSemaphore
    /// The library's `Condition`, spelled `Multitask.Condition` (see above).
    public typealias Condition = _MultitaskCondition
    /// The library's `Lock`, spelled `Multitask.Lock` (see above).
    public typealias Lock = _MultitaskLock
    /// The library's `RLock`, spelled `Multitask.RLock` (see above).
    public typealias RLock = _MultitaskRLock
    /// The library's `Event`, spelled `Multitask.Event` (see above).
    public typealias Event = _MultitaskEvent
    /// The library's `Barrier`, spelled `Multitask.Barrier` (see above).
    public typealias Barrier = _MultitaskBarrier
    /// The library's `Queue`, spelled `Multitask.Queue` (see above).
    public typealias Queue<Element: Codable> = _MultitaskQueue<Element>
    /// The library's `SimpleQueue`, spelled `Multitask.SimpleQueue` (see above).
    public typealias SimpleQueue<Element: Codable> = _MultitaskSimpleQueue<Element>
    /// The library's `JoinableQueue`, spelled `Multitask.JoinableQueue` (see above).
    public typealias JoinableQueue<Element: Codable> = _MultitaskJoinableQueue<Element>

    /// `Multitask.Pipe(duplex:)`: the module-level ``Pipe(duplex:)``, spelled so that it is not
    /// taken for Foundation's `Pipe` in a file that imports both.
    public static func Pipe(duplex: Bool) throws(ConnectionError) -> (Connection, Connection) {
        try Connection.pipe(duplex: duplex)
    }
}

// Module-level names the namespace's typealiases can point at (inside the enum, `Process`
// would name the typealias itself). Not for direct use.
/// Not for direct use: the target of `Multitask.Process`.
public typealias _MultitaskProcess = Process
/// Not for direct use: the target of `Multitask.Thread`.
public typealias _MultitaskThread = Thread
/// Not for direct use: the target of `Multitask.Timer`.
public typealias _MultitaskTimer = Timer
/// Not for direct use: the target of `Multitask.Semaphore`.
public typealias _MultitaskSemaphore = Semaphore
/// Not for direct use: the target of `Multitask.BoundedSemaphore`.
public typealias _MultitaskBoundedSemaphore = BoundedSemaphore
/// Not for direct use: the target of `Multitask.Condition`.
public typealias _MultitaskCondition = Condition
/// Not for direct use: the target of `Multitask.Lock`.
public typealias _MultitaskLock = Lock
/// Not for direct use: the target of `Multitask.RLock`.
public typealias _MultitaskRLock = RLock
/// Not for direct use: the target of `Multitask.Event`.
public typealias _MultitaskEvent = Event
/// Not for direct use: the target of `Multitask.Barrier`.
public typealias _MultitaskBarrier = Barrier
/// Not for direct use: the target of `Multitask.Queue`.
public typealias _MultitaskQueue<Element: Codable> = Queue<Element>
/// Not for direct use: the target of `Multitask.SimpleQueue`.
public typealias _MultitaskSimpleQueue<Element: Codable> = SimpleQueue<Element>
/// Not for direct use: the target of `Multitask.JoinableQueue`.
public typealias _MultitaskJoinableQueue<Element: Codable> = JoinableQueue<Element>
