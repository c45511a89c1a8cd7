import Synchronization

/// Gathers the chunk results of one `map` into the whole list, in input order, and reports
/// progress as chunks finish.
///
/// Every chunk is waited for; then the whole result is the values in input order, or the
/// failure of the first failed chunk in input order (what Python's `map` raises). A chunk of
/// raw outputs that succeeds is copied into place and counted, with no generic value built:
/// the dispatcher reaches the collector through ``PoolChunkOutcomes``, in unspecialised code.
///
/// Its chunks hold it (and the map's raw inputs, which it keeps) unretained, so that making
/// them on the submitting thread while the dispatcher frees finished ones moves no shared
/// reference count between CPUs: it keeps itself alive until its last chunk finished.
// @unchecked: `rawStorage` is a pointer; chunks write disjoint ranges of it, and it is read after the last one.
final class PoolMapCollector<Output: Codable & Sendable>: PoolChunkOutcomes, @unchecked Sendable {
    private let parts: LockedBox<PoolOrderedParts<Output>>
    /// The chunks not finished yet.
    private let remaining: Atomic<Int>
    private let codec: PoolArrayCodec<Output>
    /// For `BitwiseCodable` outputs: the whole list's bytes, which replies are copied into
    /// directly (no array per chunk). Invariant: `items * rawSize` bytes, freed in deinit.
    private let rawStorage: UnsafeMutableRawPointer?
    private let rawSize: Int
    private let progress: ProgressCounter?
    private let items: Int
    private let perChunk: (@Sendable (Range<Int>, Result<[Output], any Error>) -> Void)?
    private let chunkSize: Int
    /// The map's inputs when they travel raw (see ``ChunkSubmission``), kept for the chunks.
    private let rawInputs: PoolRawInputs?
    /// The whole list.
    let result = AsyncResult<[Output]>()

    init(
        chunks: Int, chunkSize: Int = 1, items: Int, codec: PoolArrayCodec<Output>, rawInputs: PoolRawInputs? = nil,
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?,
        perChunk: (@Sendable (Range<Int>, Result<[Output], any Error>) -> Void)? = nil
    ) {
        self.perChunk = perChunk
        self.rawInputs = rawInputs
        self.chunkSize = chunkSize
        self.items = items
        self.codec = codec
        remaining = Atomic(chunks)
        if perChunk == nil, let size = codec.rawSize, items > 0 {
            rawSize = size
            rawStorage = .allocate(byteCount: items * size, alignment: MemoryLayout<Output>.alignment)
        } else {
            rawSize = 0
            rawStorage = nil
        }
        parts = LockedBox(PoolOrderedParts(count: chunks, keepsValues: perChunk == nil && rawStorage == nil))
        self.progress = progress.map { ProgressCounter(total: items, report: $0) }
        super.init()
        if chunks == 0 {
            result.complete(.success([]))
        } else {
            // Released by the last chunk to finish (see `chunkFinished`).
            _ = Unmanaged.passRetained(self)
        }
    }

    deinit { rawStorage?.deallocate() }

    /// Chunk `index` (of `count` items) finished with `outcome`.
    func finish(chunk index: Int, count: Int, _ outcome: Result<[Output], any Error>) {
        perChunk?(index * chunkSize..<index * chunkSize + count, outcome)
        parts.withLock { $0.record(index, outcome) }
        chunkFinished(count: count)
    }

    /// Chunk `index` succeeded: raw outputs are copied into place, others decoded.
    override func finish(chunk index: Int, count: Int, reply: UnsafeRawBufferPointer, of submission: PoolSubmission, part: Int) {
        if let rawStorage {
            guard reply.count == count * rawSize else {
                let problem = CodecError.invalid("\(reply.count) bytes are not \(count) results", offset: 0)
                return finish(chunk: index, count: count, .failure(submission.undecodable(problem, part: part)))
            }
            // Invariant: chunks cover disjoint ranges of the storage, so no lock is needed to copy.
            if count > 0 { (rawStorage + index * chunkSize * rawSize).copyMemory(from: reply.baseAddress!, byteCount: reply.count) }
            return chunkFinished(count: count)
        }
        finish(chunk: index, count: count, Result {
            do {
                return try codec.decode(from: reply)
            } catch {
                throw submission.undecodable(error, part: part)
            }
        })
    }

    /// Chunk `index` failed.
    override func finish(chunk index: Int, count: Int, failure: PoolError) {
        finish(chunk: index, count: count, .failure(failure))
    }

    /// Counts a finished chunk of `count` items; the last one completes the whole, then lets
    /// the collector go (every chunk finishes exactly once, and touches it no more after).
    private func chunkFinished(count: Int) {
        progress?.add(count)
        guard remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 else { return }
        if perChunk != nil {
            result.complete(.success([]))
        } else if rawStorage != nil {
            result.complete(parts.withLock { $0.failure }.map { .failure($0) } ?? .success(assembleRaw()))
        } else {
            result.complete(parts.withLock { $0.joined() })
        }
        Unmanaged.passUnretained(self).release()
    }

    /// The whole list from the raw bytes every chunk filled.
    private func assembleRaw() -> [Output] {
        [Output](unsafeUninitializedCapacity: items) { buffer, initialized in
            // Invariant: Output is BitwiseCodable and every chunk filled its bytes.
            UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: rawStorage!, byteCount: items * rawSize)
            initialized = items
        }
    }
}

/// How a chunk's outcome reaches its `map`, without generic code on the dispatcher thread: the
/// non-generic base of ``PoolMapCollector``, a class so that a chunk can hold it unretained
/// (``ChunkSubmission``).
// @unchecked: no state; subclasses say why theirs is safe to share.
class PoolChunkOutcomes: @unchecked Sendable {
    /// Chunk `index` (of `count` items) succeeded with `reply`, its encoded outputs; a reply
    /// that is not `count` outputs fails the chunk (labelled by part `part` of `submission`).
    func finish(chunk index: Int, count: Int, reply: UnsafeRawBufferPointer, of submission: PoolSubmission, part: Int) {
        fatalError("PoolChunkOutcomes.finish: subclass must override")
    }

    /// Chunk `index` (of `count` items) failed.
    func finish(chunk index: Int, count: Int, failure: PoolError) {
        fatalError("PoolChunkOutcomes.finish: subclass must override")
    }
}

/// The submission of one chunk of a `map`: its outcome goes to the map's collector.
///
/// It holds the collector and the map's raw inputs as `Unmanaged` references: making a chunk
/// (on the submitting thread) and using or freeing it (on the dispatcher thread) then touch no
/// reference count they share, which would move one cache line between the CPUs per chunk.
/// The collector keeps itself, and the inputs, until its last chunk finished.
// @unchecked: inherited from PoolSubmission; adds only `let`s of Sendable types.
final class ChunkSubmission: PoolSubmission, @unchecked Sendable {
    /// Unretained: the collector keeps itself until this chunk (and every other) finished.
    let collector: Unmanaged<PoolChunkOutcomes>
    let chunk: Int
    let count: Int
    let firstItem: Int
    /// The map's inputs, when they travel raw: the chunk's bytes are taken from there, and
    /// `payload` is empty. Unretained: the collector keeps them.
    let rawInputs: Unmanaged<PoolRawInputs>?

    init(collector: Unmanaged<PoolChunkOutcomes>, chunk: Int, count: Int, firstItem: Int, typeID: UInt32,
         payload: [UInt8], rawInputs: Unmanaged<PoolRawInputs>? = nil, typeName: String, number: UInt64) {
        self.collector = collector
        self.chunk = chunk
        self.count = count
        self.firstItem = firstItem
        self.rawInputs = rawInputs
        super.init(typeID: typeID, payload: payload, timeout: nil, typeName: typeName, number: number)
    }

    override func withPayload(_ body: (UnsafeRawBufferPointer) -> Void) {
        guard let rawInputs else { return super.withPayload(body) }
        let items = firstItem..<firstItem + count
        rawInputs._withUnsafeGuaranteedRef { $0.withBytes(of: items, body) }
    }

    override func succeed(_ output: UnsafeRawBufferPointer) {
        let (chunk, count) = (chunk, count)
        collector._withUnsafeGuaranteedRef { $0.finish(chunk: chunk, count: count, reply: output, of: self, part: 0) }
    }

    override var label: String { "task #\(number) (\(typeName) on items \(firstItem)..<\(firstItem + count))" }

    override func fail(_ error: PoolError) {
        let (chunk, count) = (chunk, count)
        collector._withUnsafeGuaranteedRef { $0.finish(chunk: chunk, count: count, failure: error) }
    }
}
