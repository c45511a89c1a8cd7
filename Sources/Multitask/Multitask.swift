/// The library's process-wide functions and settings (Python's `multiprocessing` module
/// functions, `os.getpid`, `sys.exit`).
///
/// This namespace has the module's name, so `Multitask.X` looks inside it first. The
/// typealiases below keep `Multitask.Process`, `Multitask.Thread`, `Multitask.Timer`,
/// `Multitask.Semaphore`, … working: that spelling is how a file that also imports Foundation
/// (which re-exports Glibc) names our types whose names Foundation or Glibc use too.
public enum Multitask {
    public typealias Process = _MultitaskProcess
    public typealias Thread = _MultitaskThread
    public typealias Timer = _MultitaskTimer
    public typealias Semaphore = _MultitaskSemaphore
    public typealias BoundedSemaphore = _MultitaskBoundedSemaphore
    public typealias Condition = _MultitaskCondition
    public typealias Lock = _MultitaskLock
    public typealias RLock = _MultitaskRLock
    public typealias Event = _MultitaskEvent
    public typealias Barrier = _MultitaskBarrier
    public typealias Queue<Element: Codable> = _MultitaskQueue<Element>
    public typealias SimpleQueue<Element: Codable> = _MultitaskSimpleQueue<Element>
    public typealias JoinableQueue<Element: Codable> = _MultitaskJoinableQueue<Element>

    /// `Multitask.Pipe(duplex:)`: the module-level ``Pipe(duplex:)``, spelled so that it is not
    /// taken for Foundation's `Pipe` in a file that imports both.
    public static func Pipe(duplex: Bool) throws(ConnectionError) -> (Connection, Connection) {
        try Connection.pipe(duplex: duplex)
    }
}

// Module-level names the namespace's typealiases can point at (inside the enum, `Process`
// would name the typealias itself). Not for direct use.
public typealias _MultitaskProcess = Process
public typealias _MultitaskThread = Thread
public typealias _MultitaskTimer = Timer
public typealias _MultitaskSemaphore = Semaphore
public typealias _MultitaskBoundedSemaphore = BoundedSemaphore
public typealias _MultitaskCondition = Condition
public typealias _MultitaskLock = Lock
public typealias _MultitaskRLock = RLock
public typealias _MultitaskEvent = Event
public typealias _MultitaskBarrier = Barrier
public typealias _MultitaskQueue<Element: Codable> = Queue<Element>
public typealias _MultitaskSimpleQueue<Element: Codable> = SimpleQueue<Element>
public typealias _MultitaskJoinableQueue<Element: Codable> = JoinableQueue<Element>
