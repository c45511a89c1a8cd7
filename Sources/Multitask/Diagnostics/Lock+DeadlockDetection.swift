extension Lock {
    /// Acquires the lock like ``acquire(timeout:file:line:)``, but throws ``DeadlockError``
    /// instead of waiting forever when this thread is part of a deadlock.
    ///
    /// The wait-for graph is checked after each ``DeadlockDetector/waitThreshold`` of waiting.
    /// When several members of one cycle use this method, exactly one of them throws. Needs the
    /// detector on (report or trap; a potential-deadlock report in trap mode still stops the
    /// program); with it off this is a plain timed acquire and never throws.
    ///
    /// - Parameter timeout: the longest wait; nil waits until acquired or deadlocked.
    /// - Returns: whether the lock was acquired (false only after `timeout`).
    ///
    /// ```swift
    /// do {
    ///     try b.acquireDetectingDeadlock()
    /// } catch {
    ///     a.release()                      // give way, then retry or fail the task
    /// }
    /// ```
    @discardableResult
    public func acquireDetectingDeadlock(timeout: Duration? = nil, file: StaticString = #fileID, line: UInt = #line) throws(DeadlockError) -> Bool {
        let deadline = timeout.map { Deadline.timeout($0, of: "Lock.acquireDetectingDeadlock(timeout:)") }
        guard DeadlockDetector.mode != .off else { return acquireUnobserved(until: deadline) }
        let site = AcquisitionSite(file: file, line: line)
        switch DeadlockMonitor.shared.acquire(self, until: deadline, at: site, detecting: true, { acquireUnobserved(until: $0) }) {
        case .acquired: return true
        case .timedOut: return false
        case .deadlocked(let report): throw DeadlockError(report: report)
        }
    }
}
