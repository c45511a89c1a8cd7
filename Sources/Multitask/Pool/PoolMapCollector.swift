/// Gathers the chunk results of one `map` into the whole list, in input order, and reports
/// progress as chunks finish.
///
/// Every chunk is waited for; then the whole result is the values in input order, or the
/// failure of the first failed chunk in input order (what Python's `map` raises).
// @unchecked: `rawStorage` is a pointer; chunks write disjoint ranges of it, and it is read after the last one.
final class PoolMapCollector<Output: Codable & Sendable>: @unchecked Sendable {
    private let parts: LockedBox<PoolOrderedParts<Output>>
    /// For `BitwiseCodable` outputs: the whole list's bytes, which replies are copied into
    /// directly (no array per chunk). Invariant: `items * rawSize` bytes, freed in deinit.
    private let rawStorage: UnsafeMutableRawPointer?
    private let rawSize: Int
    private let progress: ProgressCounter?
    private let items: Int
    private let perChunk: (@Sendable (Range<Int>, Result<[Output], any Error>) -> Void)?
    private let chunkSize: Int
    /// The whole list.
    let result = AsyncResult<[Output]>()

    init(
        chunks: Int, chunkSize: Int = 1, items: Int, codec: PoolArrayCodec<Output>,
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?,
        perChunk: (@Sendable (Range<Int>, Result<[Output], any Error>) -> Void)? = nil
    ) {
        self.perChunk = perChunk
        self.chunkSize = chunkSize
        self.items = items
        if perChunk == nil, let size = codec.rawSize, items > 0 {
            rawSize = size
            rawStorage = .allocate(byteCount: items * size, alignment: MemoryLayout<Output>.alignment)
        } else {
            rawSize = 0
            rawStorage = nil
        }
        parts = LockedBox(PoolOrderedParts(count: chunks, keepsValues: perChunk == nil && rawStorage == nil))
        self.progress = progress.map { ProgressCounter(total: items, report: $0) }
        if chunks == 0 { result.complete(.success([])) }
    }

    deinit { rawStorage?.deallocate() }

    /// Whether replies go straight into the whole list's bytes (``finish(chunk:count:rawBytes:)``).
    var takesRawBytes: Bool { rawStorage != nil }

    /// Chunk `index` (of `count` items) finished with `outcome`.
    func finish(chunk index: Int, count: Int, _ outcome: Result<[Output], any Error>) {
        perChunk?(index * chunkSize..<index * chunkSize + count, outcome)
        settle(chunk: index, count: count, outcome)
    }

    /// Chunk `index` (of `count` items) finished; `bytes` are its outputs' raw bytes.
    /// Returns false, recording nothing, if they are not `count` outputs.
    func finish(chunk index: Int, count: Int, rawBytes bytes: UnsafeRawBufferPointer) -> Bool {
        guard let rawStorage, bytes.count == count * rawSize else { return false }
        // Invariant: chunks cover disjoint ranges of the storage, so no lock is needed to copy.
        if count > 0 { (rawStorage + index * chunkSize * rawSize).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        settle(chunk: index, count: count, .success([]))
        return true
    }

    private func settle(chunk index: Int, count: Int, _ outcome: Result<[Output], any Error>) {
        let last = parts.withLock { $0.record(index, outcome) }
        progress?.add(count)
        guard last else { return }
        if perChunk != nil {
            result.complete(.success([]))
        } else if rawStorage != nil {
            result.complete(parts.withLock { $0.failure }.map { .failure($0) } ?? .success(assembleRaw()))
        } else {
            result.complete(parts.withLock { $0.joined() })
        }
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

/// The submission of one chunk of a `map`: its outcome goes to the map's collector.
// @unchecked: inherited from PoolSubmission; adds only `let`s of Sendable types.
final class ChunkSubmission<Output: Codable & Sendable>: PoolSubmission, @unchecked Sendable {
    let collector: PoolMapCollector<Output>
    let codec: PoolArrayCodec<Output>
    let chunk: Int
    let count: Int
    let firstItem: Int
    /// The map's inputs, when they travel raw: the chunk's bytes are taken from there, and
    /// `payload` is empty.
    let rawInputs: PoolRawInputs?

    init(collector: PoolMapCollector<Output>, codec: PoolArrayCodec<Output>, chunk: Int, count: Int, firstItem: Int, typeID: UInt32,
         payload: [UInt8], rawInputs: PoolRawInputs? = nil, typeName: String, number: UInt64) {
        self.collector = collector
        self.codec = codec
        self.chunk = chunk
        self.count = count
        self.firstItem = firstItem
        self.rawInputs = rawInputs
        super.init(typeID: typeID, payload: payload, timeout: nil, typeName: typeName, number: number)
    }

    override func withPayload(_ body: (UnsafeRawBufferPointer) -> Void) {
        guard let rawInputs else { return super.withPayload(body) }
        rawInputs.withBytes(of: firstItem..<firstItem + count, body)
    }

    override func succeed(_ output: UnsafeRawBufferPointer) {
        if collector.takesRawBytes {
            if !collector.finish(chunk: chunk, count: count, rawBytes: output) {
                let problem = CodecError.invalid("\(output.count) bytes are not \(count) results", offset: 0)
                collector.finish(chunk: chunk, count: count, .failure(undecodable(problem)))
            }
            return
        }
        collector.finish(chunk: chunk, count: count, Result {
            do {
                return try codec.decode(from: output)
            } catch {
                throw undecodable(error)
            }
        })
    }

    override var label: String { "task #\(number) (\(typeName) on items \(firstItem)..<\(firstItem + count))" }

    override func fail(_ error: PoolError) { collector.finish(chunk: chunk, count: count, .failure(error)) }
}
