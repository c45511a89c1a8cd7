/// The chunks of one `map` of raw inputs (see ``PoolRawInputs``) as one submission: the
/// dispatcher sends its parts, chunk by chunk, to the workers, as it sends single tasks.
///
/// A `map` that nobody can cancel (`map`, `mapAsync`, `starmap`) on the pool's own workers
/// needs no object per chunk: one run carries them all, so that submitting a chunk allocates
/// nothing and the dispatcher frees nothing per chunk (freeing memory another thread
/// allocated is one of its costliest steps). Like a chunk, it holds the collector and the
/// inputs unretained (see ``ChunkSubmission``).
// @unchecked: inherited from PoolSubmission; adds only `let`s of Sendable types.
final class ChunkRunSubmission: PoolSubmission, @unchecked Sendable {
    /// Unretained: the collector keeps itself until every chunk finished.
    let collector: Unmanaged<PoolChunkOutcomes>
    /// Unretained: the collector keeps them.
    let rawInputs: Unmanaged<PoolRawInputs>
    let chunkSize: Int
    let itemCount: Int

    /// The run of `chunks` chunks of `chunkSize` items (the last may be shorter) over
    /// `itemCount` raw inputs, numbered from `number` on.
    init(collector: Unmanaged<PoolChunkOutcomes>, rawInputs: Unmanaged<PoolRawInputs>, chunks: Int, chunkSize: Int,
         itemCount: Int, typeID: UInt32, typeName: String, number: UInt64) {
        self.collector = collector
        self.rawInputs = rawInputs
        self.chunkSize = chunkSize
        self.itemCount = itemCount
        super.init(typeID: typeID, payload: [], timeout: nil, typeName: typeName, number: number, partCount: chunks)
    }

    /// The items of chunk `part`.
    private func items(of part: Int) -> Range<Int> {
        part * chunkSize..<min(part * chunkSize + chunkSize, itemCount)
    }

    override func label(part: Int) -> String {
        let items = items(of: part)
        return "task #\(number + UInt64(part)) (\(typeName) on items \(items.lowerBound)..<\(items.upperBound))"
    }

    override var label: String { "tasks #\(number)...#\(number + UInt64(partCount - 1)) (\(typeName) on items 0..<\(itemCount))" }

    override func withPayload(part: Int, _ body: (UnsafeRawBufferPointer) -> Void) {
        let items = items(of: part)
        rawInputs._withUnsafeGuaranteedRef { $0.withBytes(of: items, body) }
    }

    override func succeed(part: Int, _ output: UnsafeRawBufferPointer) {
        let count = items(of: part).count
        collector._withUnsafeGuaranteedRef { $0.finish(chunk: part, count: count, reply: output, of: self, part: part) }
    }

    override func fail(part: Int, _ error: PoolError) {
        let count = items(of: part).count
        collector._withUnsafeGuaranteedRef { $0.finish(chunk: part, count: count, failure: error) }
    }

    /// Fails the parts not sent yet (all of them when the run is cancelled before any was).
    override func fail(_ error: PoolError) {
        for part in nextPart..<partCount { fail(part: part, error) }
    }

    override func withPayload(_ body: (UnsafeRawBufferPointer) -> Void) {
        fatalError("ChunkRunSubmission: a run is sent part by part")
    }

    override func succeed(_ output: UnsafeRawBufferPointer) {
        fatalError("ChunkRunSubmission: a run is answered part by part")
    }
}
