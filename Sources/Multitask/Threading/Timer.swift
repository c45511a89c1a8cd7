/// A thread that runs an action once after a delay, unless cancelled first (Python's
/// `threading.Timer`).
///
/// The countdown starts at ``Thread/start()``. ``cancel()`` stops a timer that has not fired
/// yet and does nothing after that; it does not interrupt an action that is already running.
/// An error thrown by the action is reported like any thread's. As a ``Thread`` it can be
/// joined, named and made a daemon.
///
/// ```swift
/// let reminder = Timer(interval: .seconds(2)) { print("two seconds passed") }
/// reminder.start()
/// reminder.cancel()     // before the two seconds: the action never runs
/// ```
///
/// When a file imports Foundation too, write `Multitask.Timer`.
///
/// Subclasses follow ``Thread``'s rule: what a subclass adds must be immutable or guarded.
// @unchecked: inherited from Thread; Timer adds only `let`s and an Event.
open class Timer: Thread, @unchecked Sendable {
    /// The delay between ``Thread/start()`` and the action.
    public let interval: Duration
    private let action: @Sendable () throws -> Void
    private let finished = Event()

    /// Creates a timer that runs `action` once `interval` after ``Thread/start()`` (at once
    /// if `interval` is zero or negative).
    public init(
        interval: Duration, name: String? = nil, daemon: Bool = false,
        action: @escaping @Sendable () throws -> Void
    ) {
        self.interval = interval
        self.action = action
        super.init(name: name, daemon: daemon)
    }

    /// Stops the timer if it has not fired yet.
    public func cancel() { finished.set() }

    /// Whether ``cancel()`` was called or the action has run.
    public var isFinished: Bool { finished.isSet }

    /// Waits for the interval, then runs the action unless cancelled.
    open override func run() throws {
        defer { finished.set() }
        // A negative interval runs the action at once, as in Python: it is a delay, not a
        // timeout.
        if !finished.wait(until: .after(interval)) {
            try action()
        }
    }
}
