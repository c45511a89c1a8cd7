/// The executor of a host process's serving loop: the jobs of every call (the task that runs
/// it, and the actor's own jobs, since a default actor runs on its task's preferred executor)
/// run on the loop's thread, between two gets from the calls queue. No thread hop from
/// taking a call to putting its reply.
///
/// A job enqueued by another thread while the loop waits for a call (a method that awaited
/// something elsewhere) wakes the loop with a ``ActorCall/wake`` message on the calls queue.
// @unchecked: the only state is `state`, a LockedBox; `wakeUp` is immutable.
final class ActorHostExecutor: TaskExecutor, @unchecked Sendable {
    /// The jobs waiting for the loop, and whether it will look at them before it waits.
    private struct State {
        /// Jobs in the order they were enqueued.
        var jobs: [UnownedJob] = []
        /// Whether the loop is running jobs or a call (so it will look at `jobs` again before
        /// it waits): no wake-up is needed.
        var loopIsActive = true
    }

    /// The jobs and the loop's activity.
    private let state = LockedBox(State())
    /// Wakes the loop while it waits for a call (puts a `wake` message on its calls queue).
    private let wakeUp: @Sendable () -> Void

    /// An executor whose loop, when it waits, is woken by `wakeUp`.
    init(wakeUp: @escaping @Sendable () -> Void) {
        self.wakeUp = wakeUp
    }

    /// Queues `job` for the loop; wakes it if it waits for a call.
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let wake = state.withLock { state in
            state.jobs.append(job)
            defer { state.loopIsActive = true }
            return !state.loopIsActive
        }
        if wake { wakeUp() }
    }

    /// The loop took a call: it runs jobs again before waiting.
    func loopWillRun() {
        state.withLock { $0.loopIsActive = true }
    }

    /// Runs every queued job, including those the jobs queue, until there is none, calling
    /// `afterEach` after each; then the loop counts as waiting.
    func runQueuedJobs(afterEach: () -> Void) {
        while let job = state.withLock({ state -> UnownedJob? in
            if state.jobs.isEmpty {
                state.loopIsActive = false
                return nil
            }
            return state.jobs.removeFirst()
        }) {
            job.runSynchronously(on: asUnownedTaskExecutor())
            afterEach()
        }
    }
}
