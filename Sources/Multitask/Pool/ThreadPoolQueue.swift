import DequeModule
import Synchronization

/// The job queue of a ``ThreadPool``: a locked deque of jobs that workers take one at a time.
///
/// Submitting costs no system call while the workers are awake: a worker that finds the queue
/// empty lingers briefly, looking at a published word every few pauses (`lingerForJob()`),
/// before it registers as a sleeper, and a submitter wakes only registered sleepers. A batch
/// (``put(contentsOf:)``) takes the lock once.
///
/// Waking is handed on, as Dispatch's root queues do: a submitter wakes one sleeper, and only
/// when no woken worker is still on its way back (`waking == 0`); a worker that takes a job and
/// leaves more behind wakes the next sleeper. So a burst of submissions to sleeping workers
/// costs the submitter one wake-up system call, not one per job (or per worker), and the
/// woken workers share the rest of the wake-ups. Invariant, with the lock held: while jobs
/// are queued and workers sleep, a woken worker is on its way (`waking > 0`) or some worker
/// is awake and will take the jobs (and hand the wake-up on).
@usableFromInline
// @unchecked: `jobs`, `isClosed`, `sleepers` and `waking` are guarded by `mutex` (a futex word, not a Swift type); the rest is immutable or atomic.
final class ThreadPoolQueue: @unchecked Sendable {
    // Word 0: the mutex; word 1: wake-up tokens, granted under the mutex, taken by sleepers.
    private let storage = SyncStorage(localWords: 2)
    private let mutex: MutexCore
    private let tokens: FutexWord
    // Guarded by `mutex`, and never accessed twice at once (every access is a short
    // statement under the lock): the runtime's exclusivity checks are skipped, which cost a
    // call to `swift_beginAccess` and `swift_endAccess` per access on every put and take.
    @exclusivity(unchecked) private var jobs = Deque<any PoolJob>()
    @exclusivity(unchecked) private var isClosed = false
    /// Workers registered to sleep that no token was granted to yet.
    @exclusivity(unchecked) private var sleepers = 0
    /// Tokens granted whose worker has not taken the lock back yet.
    @exclusivity(unchecked) private var waking = 0
    /// `2` while jobs are queued plus `1` once closed, stored with `mutex` held when it
    /// changes (not on every put: spinning workers read its line); read without the lock by
    /// workers spinning before they register to sleep.
    private let published = Atomic<Int>(0)

    init() {
        mutex = MutexCore(word: storage.word(0))
        tokens = storage.word(1)
    }

    /// Queues `job`; false (nothing queued) once the queue is closed.
    @usableFromInline
    func put(_ job: any PoolJob) -> Bool {
        lock()
        guard !isClosed else { unlock(); return false }
        jobs.append(job)
        if jobs.count == 1 { publish() }
        unlockWaking(grantOne())
        return true
    }

    /// Queues every job of `batch` under one lock; false (nothing queued) once the queue is
    /// closed.
    func put(contentsOf batch: [any PoolJob]) -> Bool {
        lock()
        guard !isClosed else { unlock(); return false }
        let wasEmpty = jobs.isEmpty
        jobs.append(contentsOf: batch)
        if wasEmpty { publish() }
        unlockWaking(grantOne())
        return true
    }

    /// The next job, waiting for one; nil once the queue is closed and empty.
    func next() -> (any PoolJob)? {
        while true {
            lock()
            if let job = jobs.popFirst() {
                if jobs.isEmpty { publish() }
                unlockWaking(jobs.isEmpty ? 0 : grantOne())
                return job
            }
            if isClosed { unlock(); return nil }
            unlock()
            if lingerForJob() { continue }
            lock()
            if !jobs.isEmpty || isClosed { unlock(); continue }
            sleepers += 1
            unlock()
            sleepForToken()
            lock()
            waking -= 1
            unlock()
        }
    }

    /// How long a worker that found no job lingers before it registers to sleep, in
    /// nanoseconds.
    private static var lingerNanoseconds: Int64 { 8_000 }
    /// The widest gap between two looks at `published` while lingering, in pauses (a pause
    /// is 50-70 ns here).
    private static var lingerPausesPerLook: Int { 4 }

    /// Waits a little for a job before the worker registers to sleep, looking at `published`
    /// every few pauses; returns whether a job came (or the queue was closed).
    ///
    /// A fixed linger (``Spin/spin(budget:pollSpacing:_:)`` with a fixed budget), not a
    /// ``SpinPolicy`` with its per-thread estimate: a worker's look
    /// also fails when another worker took the job first, and an estimate shrunk by such
    /// misses sends the worker to sleep at once, so the submitter pays a wake-up system call
    /// (and often the woken worker's preemption of it) for the next job. And a look every
    /// pause took `published`'s line from the submitter between two puts. CPU time of the
    /// process per no-op `applyAsync` (100k tasks, medians of five alternating runs, load
    /// 5-8): 0.24 µs with the adaptive spin looking every pause, 0.20 with it looking every
    /// fourth pause, 0.17 with this linger (issue 16).
    @inline(never)
    private func lingerForJob() -> Bool {
        Spin.spin(budget: Self.lingerNanoseconds, pollSpacing: Self.lingerPausesPerLook) {
            published.load(ordering: .acquiring) != 0
        }.succeeded
    }

    /// Whether ``close()`` or ``closeDiscarding()`` was called.
    var closed: Bool { published.load(ordering: .acquiring) & 1 != 0 }

    /// Stops accepting jobs; the queued ones are still handed out, then ``next()`` returns nil.
    func close() { _ = close(discarding: false) }

    /// Stops accepting jobs and returns the queued ones, which no worker will get.
    func closeDiscarding() -> [any PoolJob] { close(discarding: true) }

    private func close(discarding: Bool) -> [any PoolJob] {
        lock()
        isClosed = true
        let discarded = discarding ? Array(jobs) : []
        if discarding { jobs.removeAll() }
        publish()
        // Every sleeper wakes, sees the queue closed (and finishes what is left first).
        let all = sleepers
        sleepers = 0
        waking += all
        unlockWaking(all)
        return discarded
    }

    /// With the lock held: grants a token to one sleeper if there is one and no woken worker
    /// is still on its way; returns the tokens granted (0 or 1).
    @inline(__always)
    private func grantOne() -> Int {
        guard sleepers > 0 && waking == 0 else { return 0 }
        sleepers -= 1
        waking += 1
        return 1
    }

    /// Unlocks, then hands out `granted` tokens and wakes as many sleepers.
    @inline(__always)
    private func unlockWaking(_ granted: Int) {
        unlock()
        if granted > 0 { wake(granted) }
    }

    @inline(never)
    private func wake(_ granted: Int) {
        _ = tokens.add(UInt32(granted))
        _ = tokens.wake(Int32(clamping: granted))
    }

    /// Sleeps until a token is there and takes it.
    @inline(never)
    private func sleepForToken() {
        let tokens = tokens
        _ = tokens.park(until: nil) {
            let available = tokens.load()
            if available == 0 { return .sleep(expecting: 0) }
            return tokens.compareExchange(available, available - 1).exchanged ? .done : .retry
        }
    }

    @inline(__always) private func publish() {
        published.store((jobs.isEmpty ? 0 : 2) | (isClosed ? 1 : 0), ordering: .releasing)
    }

    @inline(__always) private func lock() { _ = mutex.lock(until: nil) }
    @inline(__always) private func unlock() { _ = mutex.unlock() }
}
