import DequeModule
import Synchronization

/// The job queue of a ``ThreadPool``: a locked deque of jobs that workers take one at a time.
///
/// Submitting costs no system call while the workers are awake: a worker that finds the queue
/// empty spins briefly on the published count (``SpinPolicy/signal``) before it registers as
/// a sleeper on an ``EventCount``, and a submitter wakes only registered sleepers. A batch
/// (``put(contentsOf:)``) takes the lock once and announces once.
// @unchecked: `jobs` and `isClosed` are guarded by `mutex` (a futex word, not a Swift type); the rest is immutable or atomic.
final class ThreadPoolQueue: @unchecked Sendable {
    // Word 0: the mutex; word 1: the event count workers sleep on.
    private let storage = SyncStorage(localWords: 2)
    private let mutex: MutexCore
    private let bell: EventCount
    // Guarded by `mutex`.
    private var jobs = Deque<any PoolJob>()
    private var isClosed = false
    /// `jobs.count << 1 | isClosed`, stored (sequentially consistent, as the event count
    /// requires) with `mutex` held; read without it by workers deciding whether to sleep.
    private let published = Atomic<Int>(0)

    init() {
        mutex = MutexCore(word: storage.word(0))
        bell = EventCount(word: storage.word(1))
    }

    /// Queues `job`; false (nothing queued) once the queue is closed.
    func put(_ job: any PoolJob) -> Bool {
        lock()
        guard !isClosed else { unlock(); return false }
        jobs.append(job)
        publish()
        unlock()
        bell.signal()
        return true
    }

    /// Queues every job of `batch` under one lock and wakes the sleepers once; false
    /// (nothing queued) once the queue is closed.
    func put(contentsOf batch: [any PoolJob]) -> Bool {
        lock()
        guard !isClosed else { unlock(); return false }
        jobs.append(contentsOf: batch)
        publish()
        unlock()
        bell.signal()
        return true
    }

    /// The next job, waiting for one; nil once the queue is closed and empty.
    func next() -> (any PoolJob)? {
        while true {
            lock()
            if let job = jobs.popFirst() {
                publish()
                unlock()
                return job
            }
            let closed = isClosed
            unlock()
            if closed { return nil }
            _ = bell.wait(until: nil, spin: .signal) { self.published.load(ordering: .sequentiallyConsistent) != 0 }
        }
    }

    /// Whether ``close()`` or ``closeDiscarding()`` was called.
    var closed: Bool { published.load(ordering: .sequentiallyConsistent) & 1 != 0 }

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
        unlock()
        bell.signalAlways()
        return discarded
    }

    @inline(__always) private func publish() {
        published.store(jobs.count << 1 | (isClosed ? 1 : 0), ordering: .sequentiallyConsistent)
    }

    @inline(__always) private func lock() { _ = mutex.lock(until: nil) }
    @inline(__always) private func unlock() { _ = mutex.unlock() }
}
