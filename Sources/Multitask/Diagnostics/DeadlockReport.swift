/// What the deadlock detector found: a lock-order cycle (a potential deadlock) or threads
/// waiting for each other (an actual deadlock), with the locks, call sites and threads.
///
/// `description` is the text that the default ``DeadlockDetector/reportHandler`` prints.
public struct DeadlockReport: Sendable, CustomStringConvertible {
    /// Which graph the cycle was found in.
    public enum Kind: Sendable, Equatable {
        /// A cycle in the historical lock order: threads *can* block each other, whether or not
        /// any did.
        case potential
        /// Threads blocked right now, each waiting for a lock that the next one holds.
        case actual
    }

    /// A lock as reports name it.
    public struct LockInfo: Sendable, Hashable, CustomStringConvertible {
        /// The lock's type, e.g. `Lock`.
        public let kind: String
        /// The name given at creation.
        public let name: String?
        /// Where the lock was created.
        public let creationSite: CreationSite

        /// `Lock 'name'`, or `Lock created at file:line` for a lock without a name.
        public var description: String {
            name.map { "\(kind) '\($0)'" } ?? "\(kind) created at \(creationSite)"
        }
    }

    /// One edge of the cycle: `thread` holds `held` and acquired or waited for `next`
    /// (``waitedForNext`` tells which), which the following step holds or asked for.
    public struct Step: Sendable {
        /// The thread's name.
        public let thread: String
        /// The lock of the cycle that this thread holds.
        public let held: LockInfo
        /// Where `held` was acquired (`file:line`).
        public let heldSite: String
        /// The lock this thread acquired, or waited for, while holding `held`.
        public let next: LockInfo
        /// Where `next` was acquired or waited for (`file:line`).
        public let nextSite: String
        /// Whether the thread found `next` busy and waited for it, so it may not hold it
        /// (always, in an actual deadlock); false when it acquired `next` at once.
        public let waitedForNext: Bool
    }

    /// Potential or actual.
    public let kind: Kind
    /// The cycle, one step per lock.
    public let steps: [Step]
    /// The report as text, several lines, no trailing newline.
    public let description: String

    /// The locks of the cycle, in cycle order.
    public var locks: [LockInfo] { steps.map(\.held) }
}

extension DeadlockReport.LockInfo {
    init(_ lock: any ObservableLock) {
        self.init(kind: String(describing: type(of: lock)), name: lock.name, creationSite: lock.creationSite)
    }

    /// A lock that was destroyed after the detector recorded it.
    static let destroyed = DeadlockReport.LockInfo(kind: "Lock", name: "(destroyed)", creationSite: CreationSite(file: "?", line: 0))
}

extension DeadlockReport {
    static let title = "Multitask deadlock detector"

    /// The report for a cycle that a new lock-order edge closed (its last step).
    init(lockOrderCycle cycle: [LockOrderGraph.CycleStep], locks: [UInt64: LockInfo]) {
        let info = { (id: UInt64) in locks[id] ?? .destroyed }
        let steps = cycle.map { step in
            Step(thread: step.edge.thread, held: info(step.from), heldSite: "\(step.edge.holdingSite)",
                 next: info(step.to), nextSite: "\(step.edge.acquiringSite)", waitedForNext: step.edge.waited)
        }
        let last = steps[steps.count - 1]
        var text = """
            \(Self.title): potential deadlock, a lock-order cycle of \(steps.count) locks
              Thread '\(last.thread)' \(last.waitedForNext ? "waits for" : "acquires") \(last.next) at \(last.nextSite) while holding \(last.held).
              Other acquisitions took these locks in the opposite order, so threads that run them at
              the same time can block each other forever, whether or not any thread blocks now.
              Locks:

            """
        for lock in steps.map(\.held) {
            text += "    \(lock) (created at \(lock.creationSite))\n"
        }
        text += steps.contains(where: \.waitedForNext)
            ? "  Acquisitions and waits forming the cycle:\n" : "  Acquisitions forming the cycle:\n"
        for (index, step) in steps.enumerated() {
            let isLast = index == steps.count - 1
            // A lock that was busy was only waited for: the thread may never have held it.
            let verb = step.waitedForNext ? (isLast ? "waits for" : "waited for") : "acquired"
            let marker = isLast ? (step.waitedForNext ? "   <- this wait" : "   <- this acquisition") : ""
            text += "    \(index + 1). thread '\(step.thread)' \(verb) \(step.next) at \(step.nextSite) while holding \(step.held) (acquired at \(step.heldSite))\(marker)\n"
        }
        text += "  Fix: take these locks in one global order."
        self.init(kind: .potential, steps: steps, description: text)
    }

    /// The report for threads that wait for each other; `cycle` is in wait order (each waits
    /// for a lock held by the next).
    init(waitCycle cycle: [ThreadLockState.Snapshot], locks: [UInt64: LockInfo], now: Deadline) {
        let info = { (id: UInt64) in locks[id] ?? .destroyed }
        var steps: [Step] = []
        var text = cycle.count == 1
            ? "\(Self.title): deadlock, a thread waits for a lock that it holds itself\n"
            : "\(Self.title): deadlock, \(cycle.count) threads waiting for each other\n"
        for (index, thread) in cycle.enumerated() {
            let waiting = thread.waiting!
            let previousWait = cycle[(index + cycle.count - 1) % cycle.count].waiting!.lockID
            let heldEntry = thread.held.last { $0.id == previousWait }
            let holder = cycle[(index + 1) % cycle.count]
            let name = thread.state.thread.name
            steps.append(Step(thread: name, held: info(previousWait), heldSite: heldEntry.map { "\($0.site)" } ?? "?",
                              next: info(waiting.lockID), nextSite: "\(waiting.site)", waitedForNext: true))
            let seconds = Double(now.nanoseconds - waiting.since.nanoseconds) / 1e9
            text += "  thread '\(name)'\(Self.tid(thread)) waits \(Self.format(seconds)) s for \(info(waiting.lockID)) at \(waiting.site)\n"
            for entry in thread.held {
                text += "      holds \(info(entry.id)) (acquired at \(entry.site))\n"
            }
            text += "      \(info(waiting.lockID)) is held by thread '\(holder.state.thread.name)'\n"
        }
        text += "  No thread of the cycle can go on. Fix: take these locks in one global order."
        self.init(kind: .actual, steps: steps, description: text)
    }

    static func tid(_ thread: ThreadLockState.Snapshot) -> String {
        thread.state.thread.nativeID.map { " (tid \($0))" } ?? ""
    }

    /// Seconds with two decimals, without Foundation.
    static func format(_ seconds: Double) -> String {
        let hundredths = Int((seconds * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
