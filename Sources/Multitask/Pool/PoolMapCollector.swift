/// Gathers the chunk results of one `map` into the whole list, in input order, and reports
/// progress as chunks finish.
///
/// Every chunk is waited for; then the whole result is the values in input order, or the
/// failure of the first failed chunk in input order (what Python's `map` raises).
final class PoolMapCollector<Output: Codable & Sendable>: @unchecked Sendable {
    private let lock = InternalLock()
    private var parts: [[Output]]
    private var firstFailure: (chunk: Int, error: any Error)?
    private var remaining: Int
    private let progress: ProgressCounter
    private let perChunk: (@Sendable (Range<Int>, Result<[Output], any Error>) -> Void)?
    private let chunkSize: Int
    /// The whole list.
    let result = AsyncResult<[Output]>()

    init(
        chunks: Int, chunkSize: Int = 1, items: Int, progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?,
        perChunk: (@Sendable (Range<Int>, Result<[Output], any Error>) -> Void)? = nil
    ) {
        self.perChunk = perChunk
        self.chunkSize = chunkSize
        parts = Array(repeating: [], count: perChunk == nil ? chunks : 0)
        remaining = chunks
        self.progress = ProgressCounter(total: items, report: progress)
        if chunks == 0 { result.complete(.success([])) }
    }

    /// Chunk `index` (of `count` items) finished with `outcome`.
    func finish(chunk index: Int, count: Int, _ outcome: Result<[Output], any Error>) {
        perChunk?(index * chunkSize..<index * chunkSize + count, outcome)
        let last = lock.withLock { () -> Bool in
            switch outcome {
            case .success(let values): if perChunk == nil { parts[index] = values }
            case .failure(let error):
                if firstFailure.map({ index < $0.chunk }) ?? true { firstFailure = (index, error) }
            }
            remaining -= 1
            return remaining == 0
        }
        progress.add(count)
        guard last else { return }
        if perChunk != nil {
            result.complete(.success([]))
        } else if let firstFailure {
            result.complete(.failure(firstFailure.error))
        } else {
            let whole = lock.withLock { () -> [Output] in
                defer { parts = [] }
                if parts.count == 1 { return parts[0] }
                var whole: [Output] = []
                whole.reserveCapacity(progress.total)
                for part in parts { whole.append(contentsOf: part) }
                return whole
            }
            result.complete(.success(whole))
        }
    }
}

/// The submission of one chunk of a `map`: its outcome goes to the map's collector.
final class ChunkSubmission<Output: Codable & Sendable>: PoolSubmission, @unchecked Sendable {
    let collector: PoolMapCollector<Output>
    let codec: PoolArrayCodec<Output>
    let chunk: Int
    let count: Int
    let firstItem: Int

    init(collector: PoolMapCollector<Output>, codec: PoolArrayCodec<Output>, chunk: Int, count: Int, firstItem: Int, typeID: UInt32, payload: [UInt8], typeName: String, number: UInt64) {
        self.collector = collector
        self.codec = codec
        self.chunk = chunk
        self.count = count
        self.firstItem = firstItem
        super.init(typeID: typeID, payload: payload, timeout: nil, typeName: typeName, number: number)
    }

    override func succeed(_ output: UnsafeRawBufferPointer) {
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
