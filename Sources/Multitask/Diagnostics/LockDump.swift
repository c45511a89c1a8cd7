/// The text of ``DeadlockDetector/dump()``: every thread that holds or waits for an observed
/// lock right now, and who holds the locks waited for.
enum LockDump {
    static func format(threads: [ThreadLockState.Snapshot], locks: [UInt64: DeadlockReport.LockInfo],
                       mode: DeadlockDetector.Mode, now: Deadline) -> String {
        let info = { (id: UInt64) in locks[id] ?? .destroyed }
        let graph = WaitForGraph(threads)
        var text = "Multitask lock dump (deadlock detector: \(mode))\n"
        if mode == .off {
            text += "  The detector is off, so holders are not recorded. Switch it on with\n"
            text += "  DeadlockDetector.mode = .report or \(DeadlockDetector.modeVariable)=report.\n"
        }
        var listed = 0
        for thread in threads where !thread.held.isEmpty || thread.waiting != nil {
            listed += 1
            text += "  thread '\(thread.state.thread.name)'\(DeadlockReport.tid(thread))\(thread.hasExited ? " (ended)" : "")\n"
            for entry in thread.held {
                text += "      holds \(info(entry.id)) (acquired at \(entry.site))\n"
            }
            if thread.untracked > 0 {
                text += "      holds \(thread.untracked) more lock(s) beyond the \(ThreadLockState.capacity) tracked per thread\n"
            }
            if let waiting = thread.waiting {
                let seconds = Double(now.nanoseconds - waiting.since.nanoseconds) / 1e9
                let holder = graph.holder(of: waiting.lockID).map { "thread '\($0.state.thread.name)'" } ?? "no recorded thread"
                text += "      waits \(DeadlockReport.format(seconds)) s for \(info(waiting.lockID)) at \(waiting.site), held by \(holder)\n"
            }
        }
        if listed == 0 { text += "  No thread holds or waits for an observed lock.\n" }
        return text
    }
}
