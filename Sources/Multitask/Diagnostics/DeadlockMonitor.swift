import Synchronization

/// The deadlock detector at work: the ``LockObserver`` that every observed lock calls, and the
/// process-wide state behind ``DeadlockDetector``.
///
/// Hot path (report mode, one other lock held, the lock free): one thread-local lookup, the
/// raw acquire, one short critical section on the thread's own record, and a probe of the
/// thread's pair cache. Only a pair never seen before takes the global lock and searches the
/// graph. A wait that outlasts the threshold checks the wait-for graph, PostgreSQL-style.
///
/// Locking: the global `lock` and each thread record's lock are ``InternalLock``s, never
/// tracked locks. Order: global, then a record; a record's lock is never held while taking the
/// global one. Report handlers run with no detector lock held, with the thread marked busy so
/// that locks they take are not followed.
// @unchecked: the graph and thread table are guarded by `lock` (exclusivity checks off for speed); the rest is atomic or immutable.
final class DeadlockMonitor: LockObserver, @unchecked Sendable {
    static let shared = DeadlockMonitor()

    /// Each thread's record; a thread's first observed acquire creates it.
    static let records = ThreadLocal<RecordHandle> { RecordHandle(DeadlockMonitor.shared.registerCurrentThread()) }

    /// Bumped when the detector goes from off to on: what threads held before is unknown.
    let epoch = Atomic<UInt64>(1)

    // Guarded by `lock` (so without Swift's dynamic exclusivity checks).
    let lock = InternalLock()
    @exclusivity(unchecked) private var graph = LockOrderGraph()
    @exclusivity(unchecked) var threads: [ObjectIdentifier: ThreadLockState] = [:]
    @exclusivity(unchecked) private var reportedCycles: Set<[UInt64]> = []
    @exclusivity(unchecked) private var lastLockID: UInt64 = 0
    @exclusivity(unchecked) var lastThreadSerial: UInt64 = 0
    @exclusivity(unchecked) private var threshold: Duration
    @exclusivity(unchecked) private var handler: @Sendable (DeadlockReport) -> Void = DeadlockDetector.standardErrorReportHandler
    @exclusivity(unchecked) var forkGeneration = ForkGeneration.current

    private init() {
        let settings = DeadlockDetectorSettings.fromEnvironment()
        threshold = settings.waitThreshold
        if LockObservation.isUnresolved { LockObservation.mode = settings.mode.rawValue }
    }

    // MARK: Settings

    var mode: DeadlockDetector.Mode { DeadlockDetector.Mode(rawValue: LockObservation.mode) ?? .off }

    func setMode(_ mode: DeadlockDetector.Mode) {
        withGlobalLock {
            if self.mode == .off && mode != .off { epoch.add(1, ordering: .relaxed) }
            LockObservation.mode = mode.rawValue
        }
    }

    var waitThreshold: Duration {
        get { withGlobalLock { threshold } }
        set { withGlobalLock { threshold = max(newValue, .milliseconds(1)) } }
    }

    var reportHandler: @Sendable (DeadlockReport) -> Void {
        get { withGlobalLock { handler } }
        set {
            let previous = withGlobalLock {
                defer { handler = newValue }
                return handler
            }
            withExtendedLifetime(previous) {}
        }
    }

    // MARK: LockObserver

    func acquire(_ lock: any ObservableLock, until deadline: Deadline?, at site: AcquisitionSite, _ attempt: (Deadline?) -> Bool) -> Bool {
        switch acquire(lock, until: deadline, at: site, detecting: false, attempt) {
        case .acquired: true
        case .timedOut, .deadlocked: false
        }
    }

    func didAcquire(_ lock: any ObservableLock, at site: AcquisitionSite) {
        let me = currentRecord()
        guard !me.isBusy else { return }
        // A try-acquire never blocks, so it adds no order edge (as in lockdep); acquisitions made
        // while holding this lock do.
        _ = me.push(.init(id: identify(lock), site: site), epoch: currentEpoch, validating: false)
    }

    func willRelease(_ lock: any ObservableLock) {
        let id = lock.observationID
        guard id != 0 else { return }
        let me = currentRecord()
        if me.remove(id) { return }
        // Released by another thread than the one that acquired it (Python's `Lock` allows it),
        // or acquired while the detector was off.
        let dropped: ThreadLockState? = withGlobalLock {
            for record in threads.values where record !== me && record.remove(id) {
                return record.isDisposable ? threads.removeValue(forKey: ObjectIdentifier(record)) : nil
            }
            return nil
        }
        withExtendedLifetime(dropped) {}
    }

    func lockDidDie(_ id: UInt64) {
        withGlobalLock { graph.removeLock(id) }
    }

    // MARK: Acquire

    enum Outcome {
        case acquired
        case timedOut
        case deadlocked(DeadlockReport)
    }

    /// The observed acquire. With `detecting`, a wait-for cycle through this thread ends the
    /// wait with `.deadlocked` (and this thread leaves the cycle, so the others can go on).
    func acquire(_ lock: any ObservableLock, until deadline: Deadline?, at site: AcquisitionSite, detecting: Bool,
                 _ attempt: (Deadline?) -> Bool) -> Outcome {
        let me = currentRecord()
        guard !me.isBusy else { return attempt(deadline) ? .acquired : .timedOut }
        me.isBusy = true
        defer { me.isBusy = false }
        let held = ThreadLockState.HeldLock(id: identify(lock), site: site)
        // The lock is free: no thread blocks, but the order is checked all the same.
        if attempt(.immediate) {
            validateOrder(me, before: held, waiting: false, unvalidated: me.push(held, epoch: currentEpoch))
            return .acquired
        }
        // Report a cycle before blocking on it.
        validateOrder(me, before: held, waiting: true, unvalidated: me.unvalidated(before: held.id, epoch: currentEpoch))
        return wait(me, for: held, until: deadline, detecting: detecting, attempt)
    }

    private func wait(_ me: ThreadLockState, for held: ThreadLockState.HeldLock, until deadline: Deadline?, detecting: Bool,
                      _ attempt: (Deadline?) -> Bool) -> Outcome {
        me.beginWait(.init(lockID: held.id, site: held.site, since: .now), epoch: currentEpoch)
        while true {
            let checkpoint = Deadline.after(waitThreshold)
            let end = deadline.map { $0.nanoseconds < checkpoint.nanoseconds ? $0 : checkpoint } ?? checkpoint
            if attempt(end) {
                me.endWait(acquired: held)
                return .acquired
            }
            if let deadline, deadline.hasPassed {
                me.endWait(acquired: nil)
                return .timedOut
            }
            guard let (report, isNew) = findWaitCycle(through: me, leaving: detecting) else { continue }
            if isNew { deliver(report, mayTrap: !detecting) }
            if detecting { return .deadlocked(report) }
        }
    }

    /// The cycle through `me` in the wait-for graph, and whether it is reported for the first
    /// time. With `leaving`, `me` stops waiting in the same critical section, so that the other
    /// members of the cycle no longer see it: exactly one detecting waiter gives up.
    private func findWaitCycle(through me: ThreadLockState, leaving: Bool) -> (DeadlockReport, isNew: Bool)? {
        withGlobalLock {
            let graph = WaitForGraph(snapshots())
            guard let cycle = graph.cycle(through: me) else { return nil }
            let report = DeadlockReport(waitCycle: cycle, locks: self.graph.locks, now: .now)
            var key: [UInt64] = [UInt64.max]
            for thread in Self.rotatedToSmallest(cycle.map { $0.state.serial }) { key.append(thread) }
            for lockID in cycle.map({ $0.waiting!.lockID }).sorted() { key.append(lockID) }
            let isNew = reportedCycles.insert(key).inserted
            if leaving { me.endWait(acquired: nil) }
            return (report, isNew)
        }
    }

    // MARK: Lock order

    /// Adds the edges `held → acquired` that this thread has not validated yet, and reports the
    /// cycles they close. `waiting`: `acquired` is busy and this thread is about to wait for it.
    private func validateOrder(_ me: ThreadLockState, before acquired: ThreadLockState.HeldLock, waiting: Bool,
                               unvalidated: [ThreadLockState.HeldLock]) {
        guard !unvalidated.isEmpty else { return }
        let threadName = me.thread.name
        let reports: [DeadlockReport] = withGlobalLock {
            var reports: [DeadlockReport] = []
            for held in unvalidated {
                let edge = LockOrderGraph.Edge(holdingSite: held.site, acquiringSite: acquired.site, thread: threadName, waited: waiting)
                guard let cycle = graph.addEdge(from: held.id, to: acquired.id, edge) else { continue }
                if reportedCycles.insert(Self.rotatedToSmallest(cycle.map(\.from))).inserted {
                    reports.append(DeadlockReport(lockOrderCycle: cycle, locks: graph.locks))
                }
            }
            return reports
        }
        for held in unvalidated { me.validatedPairs.insert(held: held.id, acquired: acquired.id) }
        for report in reports { deliver(report, mayTrap: true) }
    }

    // MARK: Dump

    func dump() -> String {
        let (threads, locks) = withGlobalLock { (snapshots(), graph.locks) }
        return LockDump.format(threads: threads, locks: locks, mode: mode, now: .now)
    }

    /// How many live locks the lock-order graph knows (for tests).
    var trackedLockCount: Int { withGlobalLock { graph.locks.count } }

    // MARK: Plumbing

    var currentEpoch: UInt64 { epoch.load(ordering: .relaxed) }

    /// The detector's id for `lock`, registering the lock the first time.
    @inline(__always)
    private func identify(_ lock: any ObservableLock) -> UInt64 {
        let id = lock.observationID
        return id != 0 ? id : register(lock)
    }

    private func register(_ lock: any ObservableLock) -> UInt64 {
        let info = DeadlockReport.LockInfo(lock)
        return withGlobalLock {
            let id = lock.assignObservationID(lastLockID + 1)
            if id == lastLockID + 1 {
                lastLockID = id
                graph.addLock(id, info)
            }
            return id
        }
    }

    private func snapshots() -> [ThreadLockState.Snapshot] {
        let epoch = currentEpoch
        return threads.values.sorted { $0.serial < $1.serial }.map { $0.snapshot(epoch: epoch) }
    }

    /// Hands a report to the handler with no detector lock held; in trap mode then stops.
    private func deliver(_ report: DeadlockReport, mayTrap: Bool) {
        reportHandler(report)
        if mayTrap && mode == .trap {
            fatalError("\(DeadlockReport.title): stopping (\(DeadlockDetector.modeVariable)=trap)")
        }
    }

    /// Runs `body` under the global lock. Nothing may release the last reference to a user
    /// object in there (a report handler, a record that owns a `Thread` and so its closure):
    /// its `deinit` could destroy a `Lock`, whose `lockDidDie` takes this lock again. Such
    /// values are handed out of `body` and released after it.
    @inline(__always)
    func withGlobalLock<Result>(_ body: () -> Result) -> Result {
        if _slowPath(forkGenerationChanged) { resetAfterFork() }
        return lock.withLock(body)
    }

    /// A cycle key that does not depend on where the cycle was entered.
    private static func rotatedToSmallest(_ ids: [UInt64]) -> [UInt64] {
        guard let start = ids.indices.min(by: { ids[$0] < ids[$1] }) else { return ids }
        return Array(ids[start...] + ids[..<start])
    }
}
