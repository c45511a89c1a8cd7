#if compiler(>=6.3)
@_spi(ExperimentalScheduling) import _Concurrency
#endif
import DequeModule

/// Swift concurrency's global executor in a fork child.
///
/// The global executor normally hands jobs to Dispatch's worker pool. After a fork only the
/// forking thread exists, and if the parent had live Dispatch workers at that moment, jobs
/// submitted in the child never run: a `Task` or an `await` hangs silently
/// (measured on this toolchain). A fork child therefore installs this executor through
/// the runtime's hooks (`swift_task_enqueueGlobal_hook` and its delayed variants): one thread
/// of the child's own runs every job. Jobs run with this executor as the current task
/// executor, which is where Swift 6.3's `Task.sleep` looks for a scheduler, so sleeping works
/// too. Tasks in a fork child run one at a time. Two things still do not work there: Dispatch
/// queues used directly, and `@MainActor` code (the main queue is never drained in a child) —
/// use `.spawn` or `.forkserver` for those.
enum ChildExecutor {
    /// This process's executor, created by the first job (the first jobs may come from
    /// several threads of the child). Made by the parent before it forks (``LazyGlobals``).
    /// A fork child of a fork child gets a new one: the copied one's thread does not exist
    /// there.
    static let current = LockedBox(ChildTaskExecutor?.none, inForkChild: { current in
        if current != nil { current = nil }
    })

    /// Called in a fork child before any user code runs (so on its only thread). Only the
    /// hooks are set here: most children never use Swift concurrency, and building the
    /// executor (its generic queue's metadata, when the parent never made one) would cost each
    /// of them tens of microseconds.
    static func install() {
        GlobalExecutorHook.install { job, delay in
            let due = delay == 0 ? nil : Deadline.after(.nanoseconds(Int64(clamping: delay)))
            ChildExecutor.executor.enqueue(unsafeBitCast(job!, to: UnownedJob.self), due: due)
        }
    }

    private static var executor: ChildTaskExecutor {
        current.withLock { current in
            if let current { return current }
            let created = ChildTaskExecutor()
            current = created
            return created
        }
    }
}

/// The job queue and the thread that drains it.
final class ChildTaskExecutor: TaskExecutor, Sendable {
    private struct Delayed {
        var due: Deadline
        var job: UnownedJob
    }

    /// The jobs, and whether the thread was started.
    private struct Jobs {
        var ready = Deque<UnownedJob>()
        /// Sorted by `due`; short in practice.
        var delayed: [Delayed] = []
        var started = false
    }

    private let jobs = LockedBox(Jobs())
    private let storage = SyncStorage(localWords: 1)
    /// Bumped on every enqueue; the thread sleeps on it.
    private var doorbell: FutexWord { storage.word(0) }

    func enqueue(_ job: consuming ExecutorJob) {
        enqueue(UnownedJob(job), due: nil)
    }

    /// Queues `job` to run at once (`due` nil) or once `due` has passed.
    func enqueue(_ job: UnownedJob, due: Deadline?) {
        let start = jobs.withLock { jobs -> Bool in
            if let due {
                let index = jobs.delayed.firstIndex { $0.due > due } ?? jobs.delayed.count
                jobs.delayed.insert(Delayed(due: due, job: job), at: index)
            } else {
                jobs.ready.append(job)
            }
            defer { jobs.started = true }
            return !jobs.started
        }
        doorbell.add(1)
        doorbell.wake(1)
        if start { startThread() }
    }

    private func startThread() {
        // The thread keeps the executor alive: it never ends.
        NativeThread.startDetached(name: "mt-executor") { [self] in drain() }
    }

    private func drain() -> Never {
        let me = asUnownedTaskExecutor()
        while true {
            let seen = doorbell.load()
            let (job, wakeAt) = jobs.withLock { jobs -> (UnownedJob?, Deadline?) in
                let now = Deadline.now
                while let first = jobs.delayed.first, first.due <= now {
                    jobs.ready.append(first.job)
                    jobs.delayed.removeFirst()
                }
                return (jobs.ready.popFirst(), jobs.delayed.first?.due)
            }
            if let job {
                job.runSynchronously(on: me)
                continue
            }
            _ = doorbell.park(until: wakeAt) { doorbell.load() == seen ? .sleep(expecting: seen) : .done }
        }
    }
}

#if compiler(>=6.3)
extension ChildTaskExecutor: SchedulingExecutor {
    func enqueue<C: Clock>(_ job: consuming ExecutorJob, at instant: C.Instant, tolerance: C.Duration?, clock: C) {
        enqueue(UnownedJob(job), due: Self.deadline(after: clock.now.duration(to: instant)))
    }

    func enqueue<C: Clock>(_ job: consuming ExecutorJob, after delay: C.Duration, tolerance: C.Duration?, clock: C) {
        enqueue(UnownedJob(job), due: Self.deadline(after: delay))
    }

    /// The deadline `delay` from now; nil (run at once) for a delay that is not a `Duration`
    /// or not positive.
    private static func deadline<D>(after delay: D) -> Deadline? {
        guard let delay = delay as? Duration, delay > .zero else { return nil }
        return .after(delay)
    }
}
#endif
