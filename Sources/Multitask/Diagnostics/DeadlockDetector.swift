/// Finds deadlocks among Multitask's locks and reports them with lock names, call sites and
/// thread names.
///
/// Two kinds of cycle are found:
/// - **Potential deadlocks** (lock-order cycles, as Abseil and Linux lockdep find them): when a
///   thread acquires lock `B` while holding `A`, the edge `A → B` enters a graph over lock
///   instances. The first acquisition that closes a cycle is reported, even if no thread is
///   blocked, listing every lock of the cycle and, for each edge, the acquiring call site and
///   thread. Each (held, acquired) pair is validated once per thread; destroyed locks leave the
///   graph.
/// - **Actual deadlocks** (wait-for cycles, as Java, parking_lot and PostgreSQL find them):
///   when an acquire has waited longer than ``waitThreshold``, the detector follows "waits for
///   → held by" from the waiting thread; a cycle is reported with each thread, what it holds and
///   what it waits for. ``Lock/acquireDetectingDeadlock(timeout:file:line:)`` throws
///   ``DeadlockError`` to one member of such a cycle instead of waiting forever.
///
/// The detector is off by default, which costs one predictable branch per acquire and release.
/// Switch it on in code, or without code changes with the environment variables
/// `MULTITASK_DEADLOCK=off|report|trap` and `MULTITASK_DEADLOCK_THRESHOLD_MS`, read once at the
/// first lock operation:
///
/// ```swift
/// DeadlockDetector.mode = .report              // or: MULTITASK_DEADLOCK=report swift test
/// DeadlockDetector.reportHandler = { report in reports.append(report) }
/// print(DeadlockDetector.dump())               // who holds and waits for what, right now
/// ```
///
/// Locks acquired while the detector is off are not known to it: switch it on before the
/// threads start. `Lock` is ownerless (any thread may release it); the detector records as
/// holder the thread that acquired it.
public enum DeadlockDetector {
    /// Off, report or trap. Setting it wins over `MULTITASK_DEADLOCK`.
    public static var mode: Mode {
        get { DeadlockMonitor.shared.mode }
        set { DeadlockMonitor.shared.setMode(newValue) }
    }

    /// How long an acquire waits before the wait-for graph is checked (default 1 s, at least
    /// 1 ms). The check repeats after each further threshold of waiting.
    public static var waitThreshold: Duration {
        get { DeadlockMonitor.shared.waitThreshold }
        set { DeadlockMonitor.shared.waitThreshold = newValue }
    }

    /// Receives each report once per distinct cycle; by default
    /// ``standardErrorReportHandler``. It runs on the thread that found the cycle, with no
    /// detector lock held; locks it takes are not followed. Replace it to collect reports in
    /// tests.
    public static var reportHandler: @Sendable (DeadlockReport) -> Void {
        get { DeadlockMonitor.shared.reportHandler }
        set { DeadlockMonitor.shared.reportHandler = newValue }
    }

    /// Writes the report and a newline to standard error in one `write`.
    public static let standardErrorReportHandler: @Sendable (DeadlockReport) -> Void = { report in
        writeToStandardError("\(report)\n")
    }

    /// Who holds and who waits for which observed lock right now, one thread per paragraph:
    ///
    /// ```text
    /// Multitask lock dump (deadlock detector: report)
    ///   thread 'worker' (tid 4242)
    ///       holds Lock 'A' (acquired at App/Worker.swift:12)
    ///       waits 2.50 s for Lock 'B' at App/Worker.swift:13, held by thread 'MainThread'
    /// ```
    ///
    /// Needs no signal: call it from a watchdog thread, a debugger (`po DeadlockDetector.dump()`)
    /// or a test that timed out. With the detector off, holders are not recorded and the dump
    /// says so.
    public static func dump() -> String { DeadlockMonitor.shared.dump() }
}
