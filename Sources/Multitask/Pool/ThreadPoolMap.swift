import Synchronization

/// One `map` on a ``ThreadPool``: the items, the transform, and the whole list being filled.
///
/// Each chunk is a job (``ThreadPoolMapChunk``) that writes its values straight into their
/// slots of one buffer for the whole list, so a chunk allocates nothing but its job object.
/// The last chunk to finish completes ``whole``: with the list in input order, or with the
/// failure of the first failed chunk in input order (what Python's `map` raises), whichever
/// chunk finished first.
// @unchecked: chunks write disjoint slots of `values` and their own `succeeded` flag; the last
// chunk reads them after the decrement of `remaining` that orders it after every other chunk.
// `firstFailure` is guarded by `failureLock`.
final class ThreadPoolMap<Item: Sendable, Value: Sendable>: ThreadPoolMapWork, @unchecked Sendable {
    private let items: [Item]
    private let transform: @Sendable (Item) throws -> Value
    private let chunkSize: Int
    let chunkCount: Int
    /// The whole list's values. Invariant: the slots of the chunks whose `succeeded` flag is
    /// set are initialized, no others; freed by the last chunk.
    private let values: UnsafeMutablePointer<Value>
    private let succeeded: UnsafeMutablePointer<Bool>
    private let remaining: Atomic<Int>
    private let failureLock = InternalLock()
    private var firstFailure: (chunk: Int, error: any Error)?
    private let progress: ProgressCounter?
    /// The whole list.
    let whole = AsyncResult<[Value]>()

    init(items: [Item], chunkSize: Int, progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?,
         transform: @escaping @Sendable (Item) throws -> Value) {
        self.items = items
        self.transform = transform
        self.chunkSize = chunkSize
        chunkCount = (items.count + chunkSize - 1) / chunkSize
        values = .allocate(capacity: items.count)
        succeeded = .allocate(capacity: chunkCount)
        succeeded.initialize(repeating: false, count: chunkCount)
        remaining = Atomic(chunkCount)
        self.progress = progress.map { ProgressCounter(total: items.count, report: $0) }
        if chunkCount == 0 { finishWhole() }
    }

    /// The items of chunk `index`.
    private func range(of index: Int) -> Range<Int> {
        index * chunkSize..<min(index * chunkSize + chunkSize, items.count)
    }

    /// Computes chunk `index` into its slots.
    func compute(_ index: Int) {
        let range = range(of: index)
        var next = range.lowerBound
        do {
            while next < range.upperBound {
                (values + next).initialize(to: try transform(items[next]))
                next += 1
            }
            succeeded[index] = true
            progress?.add(range.count)
            finish(index, failure: nil)
        } catch {
            (values + range.lowerBound).deinitialize(count: next - range.lowerBound)
            progress?.add(range.count)
            finish(index, failure: error)
        }
    }

    /// Chunk `index` was cancelled with `reason` before it started.
    func cancel(_ index: Int, _ reason: PoolError) { finish(index, failure: reason) }

    private func finish(_ index: Int, failure: (any Error)?) {
        if let failure {
            failureLock.withLock {
                if firstFailure.map({ index < $0.chunk }) ?? true { firstFailure = (index, failure) }
            }
        }
        if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { finishWhole() }
    }

    /// Completes `whole` once every chunk is in, and frees the buffers.
    private func finishWhole() {
        let failure = failureLock.withLock { firstFailure?.error }
        let outcome: Result<[Value], any Error>
        if let failure {
            for index in 0..<chunkCount where succeeded[index] {
                let range = range(of: index)
                (values + range.lowerBound).deinitialize(count: range.count)
            }
            outcome = .failure(failure)
        } else {
            outcome = .success([Value](unsafeUninitializedCapacity: items.count) { buffer, initialized in
                if let base = buffer.baseAddress { base.moveInitialize(from: values, count: items.count) }
                initialized = items.count
            })
        }
        values.deallocate()
        succeeded.deallocate()
        whole.complete(outcome)
    }

    /// One job per chunk, in input order.
    func jobs() -> [any PoolJob] {
        let work: any ThreadPoolMapWork = self
        return (0..<chunkCount).map { ThreadPoolMapChunk(map: work, index: $0) }
    }
}

/// What a chunk job asks of its ``ThreadPoolMap``, whatever its item and value types.
protocol ThreadPoolMapWork: AnyObject, Sendable {
    /// Computes chunk `index` into its slots.
    func compute(_ index: Int)
    /// Chunk `index` was cancelled with `reason` before it started.
    func cancel(_ index: Int, _ reason: PoolError)
}

/// One chunk of a ``ThreadPoolMap``, queued as a job. Not generic: making an instance of a
/// generic class in the map's unspecialized code looks its metadata up in the runtime's cache,
/// once per chunk.
final class ThreadPoolMapChunk: PoolJob {
    private let map: any ThreadPoolMapWork
    private let index: Int
    private let claim = PoolJobClaim()

    init(map: any ThreadPoolMapWork, index: Int) {
        self.map = map
        self.index = index
    }

    func run() {
        if claim.start() { map.compute(index) }
    }

    func cancel(_ reason: PoolError) {
        if claim.cancel() { map.cancel(index, reason) }
    }
}
