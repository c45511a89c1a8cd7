/// The `map` family of a process ``Pool``: a ``PoolFunction`` applied to many inputs.
///
/// Inputs travel in chunks of `chunkSize` (one task each, less overhead for tiny work); a chunk
/// that fails (an error thrown for one of its items, a crash) fails all of its items.
extension Pool {
    /// Applies `function` to every input on the workers; returns the outputs in input order,
    /// or throws the first failure in input order (Python's `map`). `inputs` may be any
    /// sequence; it is read to its end first, as Python's `map` does.
    ///
    /// `progress` is called with (finished items, total) as chunks finish, on the dispatcher
    /// thread.
    public func map<Function: PoolFunction>(
        _ function: Function.Type, _ inputs: some Sequence<Function.Input>, chunkSize: Int = 1,
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> [Function.Output] {
        try mapAsync(function, inputs, chunkSize: chunkSize, progress: progress).get()
    }

    /// Like ``map(_:_:chunkSize:progress:)`` without waiting: one handle for the whole list
    /// (Python's `map_async`).
    public func mapAsync<Function: PoolFunction>(
        _ function: Function.Type, _ inputs: some Sequence<Function.Input>, chunkSize: Int = 1,
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil
    ) -> AsyncResult<[Function.Output]> {
        mapSubmissions(function, Array(inputs), chunkSize: chunkSize, progress: progress, keepsSubmissions: false).collector.result
    }

    /// Python's `starmap`: `function(first, second)` for every pair, outputs in input order.
    public func starmap<Function: PoolBinaryFunction>(
        _ function: Function.Type, _ arguments: some Sequence<(Function.First, Function.Second)>, chunkSize: Int = 1,
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> [Function.Output] {
        try starmapAsync(function, arguments, chunkSize: chunkSize, progress: progress).get()
    }

    /// Like ``starmap(_:_:chunkSize:progress:)`` without waiting (Python's `starmap_async`).
    public func starmapAsync<Function: PoolBinaryFunction>(
        _ function: Function.Type, _ arguments: some Sequence<(Function.First, Function.Second)>, chunkSize: Int = 1,
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil
    ) -> AsyncResult<[Function.Output]> {
        mapAsync(PoolSpread<Function>.self, arguments.map { PoolArgumentPair(first: $0.0, second: $0.1) }, chunkSize: chunkSize, progress: progress)
    }

    /// Python's `imap`: iterate the outcomes in input order, each as soon as it (and those
    /// before it) are ready. One item's failure does not hide the others.
    ///
    /// `inputs` is read as the results are iterated: the pool keeps at most 64 chunks per
    /// worker submitted beyond those iterated (see ``PoolResults``), so an endless sequence
    /// works when only part of it is taken.
    public func imap<Function: PoolFunction>(
        _ function: Function.Type, _ inputs: some Sequence<Function.Input>, chunkSize: Int = 1
    ) -> PoolResults<Function.Output> {
        lazyResults(function, inputs, chunkSize: chunkSize, ordered: true)
    }

    /// Python's `imap_unordered`: iterate the outcomes as they become ready, in completion
    /// order (a chunk's items in input order). Exactly one outcome per input arrives; `inputs`
    /// is read as in ``imap(_:_:chunkSize:)``.
    public func imapUnordered<Function: PoolFunction>(
        _ function: Function.Type, _ inputs: some Sequence<Function.Input>, chunkSize: Int = 1
    ) -> PoolResults<Function.Output> {
        lazyResults(function, inputs, chunkSize: chunkSize, ordered: false)
    }

    /// The lazily fed results of `imap` and `imapUnordered`.
    private func lazyResults<Function: PoolFunction>(
        _ function: Function.Type, _ inputs: some Sequence<Function.Input>, chunkSize: Int, ordered: Bool
    ) -> PoolResults<Function.Output> {
        usageCheck(chunkSize > 0, "Pool.imap: chunkSize must be positive, got \(chunkSize)")
        var iterator = inputs.makeIterator()
        let lookahead = processCount * PoolDispatcher.prefetchLimit * chunkSize
        return PoolResults(ordered: ordered, lookahead: lookahead, step: chunkSize) { first, limit, arrivals in
            var batch: [Function.Input] = []
            batch.reserveCapacity(limit)
            while batch.count < limit, let input = iterator.next() { batch.append(input) }
            self.forEachOutcome(function, batch, chunkSize: chunkSize, firstIndex: first) { index, outcome in
                arrivals.put((index, outcome))
            }
            return batch.count
        }
    }

    // MARK: Internals

    /// The chunks of a `map` submitted first, before the rest are made.
    static var firstMapBatch: Int { 64 }
    /// The most chunks of a `map` submitted at once (batches double up to this).
    static var largestMapBatch: Int { 4096 }

    /// Submits `inputs` in chunks; each item's outcome goes to `deliver` with its index (the
    /// first input's is `firstIndex`), on the dispatcher thread (a chunk's items in order).
    /// Returns the submissions, for cancelling.
    @discardableResult
    func forEachOutcome<Function: PoolFunction>(
        _ function: Function.Type, _ inputs: [Function.Input], chunkSize: Int, firstIndex: Int = 0,
        _ deliver: @escaping @Sendable (Int, Result<Function.Output, any Error>) -> Void
    ) -> [PoolSubmission] {
        let (collector, submissions) = mapSubmissions(function, inputs, chunkSize: chunkSize, progress: nil) { range, outcome in
            switch outcome {
            case .success(let values):
                for (offset, value) in values.enumerated() { deliver(firstIndex + range.lowerBound + offset, .success(value)) }
            case .failure(let error):
                for index in range { deliver(firstIndex + index, .failure(error)) }
            }
        }
        _ = collector
        return submissions
    }

    /// Encodes and submits the chunks of a map. `perChunk`, if given, also sees each chunk's
    /// outcome with its item range. Returns the submissions (for cancelling) only when
    /// `keepsSubmissions`: a `map` that cannot be cancelled keeps no references to its chunks.
    func mapSubmissions<Function: PoolFunction>(
        _ function: Function.Type, _ inputs: [Function.Input], chunkSize: Int,
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?, keepsSubmissions: Bool = true,
        perChunk: (@Sendable (Range<Int>, Result<[Function.Output], any Error>) -> Void)? = nil
    ) -> (collector: PoolMapCollector<Function.Output>, submissions: [PoolSubmission]) {
        usageCheck(chunkSize > 0, "Pool.map: chunkSize must be positive, got \(chunkSize)")
        let chunkCount = (inputs.count + chunkSize - 1) / chunkSize
        let inputCodec = PoolArrayCodec<Function.Input>(), outputCodec = PoolArrayCodec<Function.Output>()
        // Raw inputs are written into each chunk's frame from one shared copy.
        let rawInputs = chunkCount == 0 ? nil : inputCodec.rawSize.map { PoolRawInputs(inputs, elementSize: $0) }
        let collector = PoolMapCollector<Function.Output>(
            chunks: chunkCount, chunkSize: chunkSize, items: inputs.count, codec: outputCodec, rawInputs: rawInputs,
            progress: progress, perChunk: perChunk
        )
        guard chunkCount > 0 else { return (collector, []) }
        let ticket = dispatcher.ticket(for: PoolChunk<Function>.self, numbers: chunkCount)
        let (typeID, isNew, firstNumber) = (ticket.typeID, ticket.isNew, ticket.firstNumber)
        let name = String(describing: Function.self)
        let sink = Unmanaged<PoolChunkOutcomes>.passUnretained(collector)
        let rawReference = rawInputs.map { Unmanaged.passUnretained($0) }
        if !keepsSubmissions, let rawReference, dispatcher.sendsRuns {
            // Nobody cancels these chunks: one run carries them all (raw chunks cannot fail to encode).
            if isNew {
                var payload: [UInt8] = []
                try? inputCodec.append(inputs[0..<min(chunkSize, inputs.count)], to: &payload)
                PoolWarmUp.rehearseDecoding(PoolChunk<Function>.self, payload: payload)
            }
            dispatcher.submit(CollectionOfOne<PoolSubmission>(ChunkRunSubmission(
                collector: sink, rawInputs: rawReference, chunks: chunkCount, chunkSize: chunkSize, itemCount: inputs.count,
                typeID: typeID, typeName: name, number: firstNumber
            )))
            return (collector, [])
        }
        var submissions: [PoolSubmission] = []
        if keepsSubmissions { submissions.reserveCapacity(chunkCount) }
        // Chunks are submitted in growing batches, so that the workers start on the first
        // ones while the later ones are made. Each batch array is handed to the inbox whole.
        var batch: [PoolSubmission] = [], nextBatch = Self.firstMapBatch
        batch.reserveCapacity(nextBatch)
        for chunk in 0..<chunkCount {
            let start = chunk * chunkSize, end = min(start + chunkSize, inputs.count)
            var payload: [UInt8] = []
            do {
                if rawInputs == nil || (isNew && chunk == 0) { try inputCodec.append(inputs[start..<end], to: &payload) }
                if isNew && chunk == 0 {
                    PoolWarmUp.rehearseDecoding(PoolChunk<Function>.self, payload: payload)
                    if rawInputs != nil { payload = [] }
                }
            } catch {
                collector.finish(chunk: chunk, count: end - start, .failure(PoolError.taskFailed(
                    errorType: String(reflecting: type(of: error)), description: "the inputs cannot be encoded: \(error)",
                    task: "task #\(firstNumber + UInt64(chunk)) (\(name) on items \(start)..<\(end))"
                )))
                continue
            }
            batch.append(ChunkSubmission(
                collector: sink, chunk: chunk, count: end - start, firstItem: start, typeID: typeID,
                payload: payload, rawInputs: rawReference, typeName: name, number: firstNumber + UInt64(chunk)
            ))
            if batch.count >= nextBatch {
                if keepsSubmissions { submissions.append(contentsOf: batch) }
                dispatcher.submit(handingOver: &batch)
                nextBatch = min(nextBatch * 2, Self.largestMapBatch)
            }
        }
        if !batch.isEmpty {
            if keepsSubmissions { submissions.append(contentsOf: batch) }
            dispatcher.submit(handingOver: &batch)
        }
        return (collector, submissions)
    }
}
