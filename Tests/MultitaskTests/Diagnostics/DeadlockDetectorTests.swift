import Glibc
import Testing
@testable import Multitask

/// Every test here changes the process-wide detector mode, so they run one at a time and each
/// restores the mode, threshold and handler it found (`withDetector`).
@Suite("Deadlock detector", .serialized)
struct DeadlockDetectorTests {
    @Test("an AB/BA inversion is reported in report mode although no thread ever blocks")
    func inversionWithoutBlocking() throws {
        try withDetector { reports in
            let a = Lock(name: "inv-A"), b = Lock(name: "inv-B")
            let lines = Lines()
            runThread("first") {
                a.acquire()
                lines.ab = #line; b.acquire()
                b.release()
                a.release()
            }
            #expect(reports.all.isEmpty)
            runThread("second") {
                lines.heldB = #line; b.acquire()
                lines.ba = #line; a.acquire()
                a.release()
                b.release()
            }
            let found = reports.all
            try #require(found.count == 1)
            let report = found[0]
            #expect(report.kind == .potential)
            #expect(Set(report.locks.map(\.name)) == ["inv-A", "inv-B"])
            #expect(report.steps.map(\.thread) == ["first", "second"])
            let text = report.description
            #expect(text.contains("Lock 'inv-A'") && text.contains("Lock 'inv-B'"))
            #expect(text.contains("thread 'first' acquired Lock 'inv-B' at \(Self.file):\(lines.ab)"))
            #expect(text.contains("thread 'second' acquired Lock 'inv-A' at \(Self.file):\(lines.ba) while holding Lock 'inv-B' (acquired at \(Self.file):\(lines.heldB))"))
            // Both locks were free when asked for: acquisitions, no waits.
            #expect(report.steps.allSatisfy { !$0.waitedForNext })
            #expect(text.contains("Acquisitions forming the cycle:") && text.contains("<- this acquisition") && !text.contains("wait"))
        }
    }

    @Test("a cycle through three locks taken by three threads is reported with every lock")
    func threeLockCycle() throws {
        try withDetector { reports in
            let a = Lock(name: "tri-A"), b = Lock(name: "tri-B"), c = Lock(name: "tri-C")
            for (name, first, second) in [("t1", a, b), ("t2", b, c)] {
                runThread(name) { first.withLock { second.withLock {} } }
            }
            #expect(reports.all.isEmpty)
            runThread("t3") { c.withLock { a.withLock {} } }
            let found = reports.all
            try #require(found.count == 1)
            #expect(found[0].locks.map(\.name) == ["tri-A", "tri-B", "tri-C"])
            #expect(found[0].steps.map(\.thread) == ["t1", "t2", "t3"])
            #expect(found[0].description.contains("lock-order cycle of 3 locks"))
        }
    }

    @Test("a consistent order over 10^5 nested acquisitions on two threads reports nothing")
    func consistentOrder() {
        withDetector { reports in
            let outer = Lock(name: "outer"), inner = Lock(name: "inner"), innermost = Lock(name: "innermost")
            let workers = (0..<2).map { index in
                Thread(name: "ordered-\(index)") {
                    for _ in 0..<25_000 {
                        outer.withLock { inner.withLock { innermost.withLock {} } }
                    }
                }
            }
            workers.forEach { $0.start() }
            for worker in workers { #expect(worker.join(timeout: .seconds(60))) }
            #expect(reports.all.isEmpty)
        }
    }

    @Test("RLock re-entry is not a cycle; an RLock/Lock inversion is")
    func rlockReentry() throws {
        try withDetector { reports in
            let r = RLock(name: "re-R"), l = Lock(name: "re-L")
            runThread("reentrant") {
                r.withLock { l.withLock { r.withLock { r.withLock {} } } }
            }
            runThread("same-order") { r.withLock { l.withLock {} } }
            #expect(reports.all.isEmpty)
            runThread("inverted") { l.withLock { r.withLock {} } }
            let found = reports.all
            try #require(found.count == 1)
            #expect(Set(found[0].locks.map(\.name)) == ["re-R", "re-L"])
        }
    }

    @Test("a semaphore of value 1 takes part in lock-order cycles")
    func semaphoreAsLock() throws {
        try withDetector { reports in
            let s = Semaphore(value: 1, name: "sem-S"), l = Lock(name: "sem-L")
            runThread("s-then-l") { s.withLock { l.withLock {} } }
            #expect(reports.all.isEmpty)
            runThread("l-then-s") { l.withLock { s.withLock {} } }
            try #require(reports.all.count == 1)
        }
    }

    @Test("a lock without a name is reported by its creation site")
    func unnamedLockShowsCreationSite() throws {
        try withDetector { reports in
            let creation = #line; let a = Lock(), b = Lock()
            a.withLock { b.withLock {} }
            b.withLock { a.withLock {} }
            try #require(reports.all.count == 1)
            #expect(reports.all[0].description.contains("Lock created at \(Self.file):\(creation)"))
        }
    }

    @Test("a real two-thread deadlock is reported within threshold + 1 s, the detecting acquire unblocks one thread, and the lock-order report before it says both threads waited, not acquired")
    func actualDeadlock() throws {
        let threshold = Duration.milliseconds(300)
        try withDetector(threshold: threshold) { reports in
            let a = Lock(name: "dl-A"), b = Lock(name: "dl-B")
            let aHeld = Event(), bHeld = Event()
            let outcome = Outcome()
            let lines = Lines()
            let plain = Thread(name: "plain-waiter", daemon: true) {
                a.acquire()
                aHeld.set()
                bHeld.wait()
                lines.ab = #line; b.acquire()
                b.release()
                a.release()
            }
            let detecting = Thread(name: "detecting-waiter", daemon: true) {
                b.acquire()
                bHeld.set()
                aHeld.wait()
                let start = Deadline.now
                do throws(DeadlockError) {
                    lines.ba = #line; try a.acquireDetectingDeadlock()
                    a.release()
                } catch {
                    outcome.record(error, after: Deadline.now.nanoseconds - start.nanoseconds)
                }
                b.release()
            }
            plain.start()
            detecting.start()
            #expect(detecting.join(timeout: .seconds(20)), "the detecting acquire did not give up")
            #expect(plain.join(timeout: .seconds(20)), "the other thread never got its lock")
            let (error, waited) = outcome.value
            let deadlock = try #require(error)
            #expect(waited < (threshold + .seconds(1)).nanoseconds)
            #expect(deadlock.report.kind == .actual)
            let actual = reports.all.filter { $0.kind == .actual }
            try #require(actual.count == 1)
            let text = actual[0].description
            #expect(text.contains("2 threads waiting for each other"))
            #expect(text.contains("thread 'plain-waiter'") && text.contains("thread 'detecting-waiter'"))
            #expect(text.contains("for Lock 'dl-B' at \(Self.file):\(lines.ab)"))
            #expect(text.contains("for Lock 'dl-A' at \(Self.file):\(lines.ba)"))
            #expect(text.contains("Lock 'dl-A' is held by thread 'plain-waiter'"))
            // The inversion itself was reported before anyone blocked on it, as two waits: each
            // thread asked for a lock that the other held at that moment.
            let potential = try #require(reports.all.first)
            #expect(potential.kind == .potential)
            #expect(potential.steps.count == 2 && potential.steps.allSatisfy(\.waitedForNext))
            let order = potential.description
            #expect(!order.contains("acquired Lock 'dl-A' at") && !order.contains("acquired Lock 'dl-B' at") && !order.contains(" acquires "))
            #expect(order.contains("Acquisitions and waits forming the cycle:") && order.contains("<- this wait"))
            let (closer, other) = potential.steps[1].thread == "plain-waiter"
                ? (("plain-waiter", "dl-B", lines.ab), ("detecting-waiter", "dl-A", lines.ba))
                : (("detecting-waiter", "dl-A", lines.ba), ("plain-waiter", "dl-B", lines.ab))
            #expect(order.contains("Thread '\(closer.0)' waits for Lock '\(closer.1)' at \(Self.file):\(closer.2) while holding Lock '\(other.1)'."))
            #expect(order.contains("thread '\(other.0)' waited for Lock '\(other.1)' at \(Self.file):\(other.2) while holding Lock '\(closer.1)' (acquired at"))
            #expect(order.contains("thread '\(closer.0)' waits for Lock '\(closer.1)' at \(Self.file):\(closer.2) while holding Lock '\(other.1)' (acquired at"))
        }
    }

    @Test("a thread that acquires a Lock it already holds is reported, and the detecting acquire throws")
    func selfDeadlock() throws {
        try withDetector(threshold: .milliseconds(100)) { reports in
            let lock = Lock(name: "twice")
            lock.acquire()
            #expect(throws: DeadlockError.self) { try lock.acquireDetectingDeadlock(timeout: .seconds(10)) }
            lock.release()
            let actual = reports.all.filter { $0.kind == .actual }
            try #require(actual.count == 1)
            #expect(actual[0].description.contains("a thread waits for a lock that it holds itself"))
            #expect(actual[0].locks.map(\.name) == ["twice"])
        }
    }

    @Test("a try-acquire adds no lock-order edge, and a timed acquire still times out")
    func tryAndTimedAcquire() {
        withDetector { reports in
            let a = Lock(name: "try-A"), b = Lock(name: "try-B")
            a.withLock { if b.tryAcquire() { b.release() } }
            b.withLock { a.withLock {} }
            #expect(reports.all.isEmpty)
            b.acquire()
            #expect(!b.acquire(timeout: .milliseconds(20)))
            b.release()
            #expect(b.acquire(timeout: .milliseconds(20)))
            b.release()
            #expect(!DeadlockDetector.dump().contains("try-B"))
        }
    }

    @Test("a report handler may itself use Locks: they are not followed, nothing recurses")
    func handlerUsingLocks() {
        withDetector { _ in
            final class Box: @unchecked Sendable {
                let guard1 = Lock(name: "handler-guard"), guard2 = Lock(name: "handler-inner")
                var texts: [String] = []
            }
            let box = Box()
            DeadlockDetector.reportHandler = { report in
                // Both orders inside the handler: would be a cycle if the detector followed them.
                box.guard1.withLock { box.guard2.withLock { box.texts.append(report.description) } }
                box.guard2.withLock { box.guard1.withLock {} }
            }
            let a = Lock(name: "outer-A"), b = Lock(name: "outer-B")
            a.withLock { b.withLock {} }
            b.withLock { a.withLock {} }
            let texts = box.guard1.withLock { box.texts }
            #expect(texts.count == 1)
            #expect(texts.first?.contains("outer-A") == true)
        }
    }

    @Test("dump shows who holds and who waits for which lock")
    func dump() {
        withDetector(threshold: .seconds(30)) { _ in
            let a = Lock(name: "dump-A"), b = Lock(name: "dump-B")
            let aHeld = Event()
            b.acquire()
            let waiter = Thread(name: "dump-waiter", daemon: true) {
                a.acquire()
                aHeld.set()
                b.acquire()
                b.release()
                a.release()
            }
            waiter.start()
            aHeld.wait()
            let text = dumpOnce(itContains: "waits")
            b.release()
            #expect(waiter.join(timeout: .seconds(10)))
            #expect(text.contains("thread 'dump-waiter'"))
            #expect(text.contains("holds Lock 'dump-A' (acquired at \(Self.file):"))
            #expect(text.contains("for Lock 'dump-B' at \(Self.file):"))
            #expect(text.contains(", held by thread '\(Thread.current.name)'"))
            #expect(!DeadlockDetector.dump().contains("dump-A"))
        }
    }

    @Test("a lock released by another thread than its holder is no longer held by anyone")
    func foreignRelease() {
        withDetector { reports in
            let a = Lock(name: "handed-over")
            runThread("acquirer") { a.acquire() }
            // The record is marked ended by a thread-exit destructor, just after join returns.
            let text = dumpOnce(itContains: "(ended)")
            #expect(text.contains("thread 'acquirer' (tid ") && text.contains("(ended)"))
            #expect(text.contains("holds Lock 'handed-over'"))
            a.release()
            #expect(!DeadlockDetector.dump().contains("handed-over"))
            #expect(reports.all.isEmpty)
        }
    }

    @Test("dropping an ended thread's record runs the deinit of its locks outside the detector's lock")
    func recordDropReleasesOutsideLock() {
        withDetector { _ in
            let a = Lock(name: "hand-off")
            do {
                let onlyInThread = Lock(name: "only-in-thread")
                runThread("short-lived") {
                    onlyInThread.withLock {}
                    a.acquire()
                }
            }
            #expect(dumpOnce(itContains: "(ended)").contains("thread 'short-lived'"))
            // The record is the last owner of the Thread, whose closure owns `onlyInThread`.
            a.release()
            #expect(!DeadlockDetector.dump().contains("hand-off"))
        }
    }

    @Test("destroyed locks leave the lock-order graph")
    func destroyedLocksLeave() {
        withDetector { _ in
            let before = DeadlockMonitor.shared.trackedLockCount
            do {
                let a = Lock(name: "short-A"), b = Lock(name: "short-B")
                a.withLock { b.withLock {} }
                #expect(DeadlockMonitor.shared.trackedLockCount == before + 2)
            }
            #expect(DeadlockMonitor.shared.trackedLockCount == before)
        }
    }

    @Test("nesting deeper than the tracked bound is counted, not followed")
    func boundedHeldStack() {
        withDetector { reports in
            let locks = (0..<(ThreadLockState.capacity + 8)).map { Lock(name: "deep-\($0)") }
            for lock in locks { lock.acquire() }
            #expect(DeadlockDetector.dump().contains("holds 8 more lock(s)"))
            for lock in locks.reversed() { lock.release() }
            for lock in locks { lock.acquire() }
            for lock in locks.reversed() { lock.release() }
            #expect(reports.all.isEmpty)
        }
    }

    @Test("trap mode from MULTITASK_DEADLOCK prints the report and stops the process")
    func trapFromEnvironment() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            setenv("MULTITASK_DEADLOCK", "trap", 1)
            let a = Lock(name: "trap-A"), b = Lock(name: "trap-B")
            a.withLock { b.withLock {} }
            b.withLock { a.withLock {} }
            writeToStandardError("still running\n")
        }
        let stderr = String(decoding: try #require(result).standardErrorContent, as: UTF8.self)
        #expect(stderr.contains("potential deadlock, a lock-order cycle of 2 locks"))
        #expect(stderr.contains("stopping (MULTITASK_DEADLOCK=trap)"))
        #expect(!stderr.contains("still running"))
    }

    @Test("report mode from MULTITASK_DEADLOCK prints to standard error and continues")
    func reportFromEnvironment() async throws {
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            setenv("MULTITASK_DEADLOCK", "report", 1)
            let a = Lock(name: "env-A"), b = Lock(name: "env-B")
            a.withLock { b.withLock {} }
            b.withLock { a.withLock {} }
            b.withLock { a.withLock {} }
        }
        let stderr = String(decoding: try #require(result).standardErrorContent, as: UTF8.self)
        #expect(stderr.contains("potential deadlock, a lock-order cycle of 2 locks"))
        #expect(stderr.contains("Lock 'env-A'"))
        #expect(stderr.ranges(of: "Multitask deadlock detector").count == 1)
    }

    // MARK: Helpers

    static let file = "MultitaskTests/DeadlockDetectorTests.swift"
}

/// Runs `body` with the detector in `mode`, its reports collected; restores the settings.
private func withDetector(_ mode: DeadlockDetector.Mode = .report, threshold: Duration = .seconds(1),
                          _ body: (ReportCollector) throws -> Void) rethrows {
    let saved = (DeadlockDetector.mode, DeadlockDetector.waitThreshold, DeadlockDetector.reportHandler)
    let reports = ReportCollector()
    DeadlockDetector.reportHandler = { reports.append($0) }
    DeadlockDetector.waitThreshold = threshold
    DeadlockDetector.mode = mode
    defer {
        DeadlockDetector.mode = saved.0
        DeadlockDetector.waitThreshold = saved.1
        DeadlockDetector.reportHandler = saved.2
    }
    try body(reports)
}

/// Runs `body` on a new thread named `name` and waits for it (a watchdog bounds the wait).
private func runThread(_ name: String, _ body: @escaping @Sendable () -> Void) {
    let thread = Thread(name: name, daemon: true, target: body)
    thread.start()
    #expect(thread.join(timeout: .seconds(20)), "thread '\(name)' did not end")
}

/// `DeadlockDetector.dump()` once it contains `text`, or after 2 s.
private func dumpOnce(itContains text: String) -> String {
    var dump = DeadlockDetector.dump()
    for _ in 0..<2_000 where !dump.contains(text) {
        usleep(1_000)
        dump = DeadlockDetector.dump()
    }
    return dump
}

/// Reports handed to the detector's handler. Guarded by an `InternalLock`, which the detector
/// never follows.
private final class ReportCollector: @unchecked Sendable {
    private let lock = InternalLock()
    private var reports: [DeadlockReport] = []

    func append(_ report: DeadlockReport) { lock.withLock { reports.append(report) } }
    var all: [DeadlockReport] { lock.withLock { reports } }
}

/// Line numbers recorded by test threads.
private final class Lines: @unchecked Sendable {
    var ab = 0, ba = 0, heldB = 0
}

/// What the detecting thread saw.
private final class Outcome: @unchecked Sendable {
    private let lock = InternalLock()
    private var error: DeadlockError?
    private var waited: Int64 = 0

    func record(_ error: DeadlockError, after nanoseconds: Int64) {
        lock.withLock { (self.error, waited) = (error, nanoseconds) }
    }

    var value: (DeadlockError?, Int64) { lock.withLock { (error, waited) } }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
