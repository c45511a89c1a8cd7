/// Record I/O: writing a record at the tail and reading the one at the head, including
/// payloads that continue into later blocks (their length checked against the bytes up to
/// the tail before anything is allocated).
extension QueueStorage {
    /// How far after a record the producer asks for the cache line it will write next.
    static let writeAhead = 256

    /// Writes a record at `start` (a checked position); returns the position after it. Caller
    /// holds the producer lock.
    @inline(__always)
    func write(_ payload: UnsafeRawBufferPointer, at start: Position) throws(QueueError) -> Position {
        // A word-sized payload (`Int`, `Double`, a pointer) in the current block: two stores,
        // no call to `memmove`.
        if payload.count == 8 && start.offset + 16 <= Self.blockSize {
            let data = blockData(start.block)
            data.storeBytes(of: UInt64(8), toByteOffset: start.offset, as: UInt64.self)
            data.storeBytes(of: payload.loadUnaligned(as: UInt64.self), toByteOffset: start.offset + 8, as: UInt64.self)
            return prefetchingAfter(Position(block: start.block, offset: start.offset + 16))
        }
        return try writeAnySize(payload, at: start)
    }

    /// ``write(_:at:)`` for every payload: the record may start in the next block and its
    /// payload continue into later ones.
    @inline(never)
    func writeAnySize(_ payload: UnsafeRawBufferPointer, at start: Position) throws(QueueError) -> Position {
        var position = start
        try enterNextBlockIfAtEnd(&position)
        let data = blockData(position.block)
        data.storeBytes(of: UInt64(payload.count), toByteOffset: position.offset, as: UInt64.self)
        position.offset += Self.recordHeaderSize
        var source = payload.baseAddress
        var remaining = payload.count
        while remaining > 0 {
            try enterNextBlockIfAtEnd(&position)
            let n = min(remaining, Self.blockSize - position.offset)
            (blockData(position.block) + position.offset).copyMemory(from: source!, byteCount: n)
            position.offset += n
            source! += n
            remaining -= n
        }
        position.offset = (position.offset + 7) & ~7
        return prefetchingAfter(position)
    }

    /// `position` (after a record just written), once the line ``writeAhead`` bytes further
    /// on is asked for.
    @inline(__always)
    func prefetchingAfter(_ position: Position) -> Position {
        // The lines after the record were last read by a consumer (on the previous lap
        // through the blocks) and sit in its cache: ask for them now, so that the put that
        // writes there does not wait for the other CPU to give them up (the unlock's full
        // barrier would). Twice the throughput of small messages between two processes.
        if position.offset + Self.writeAhead < Self.blockSize {
            CPU.prefetchForWriting(blockData(position.block) + position.offset + Self.writeAhead)
        }
        return position
    }

    /// Reads the record at `start` (a head, unchecked): passes its payload and the position
    /// after it to `read`. Throws ``QueueError/corrupted(_:)`` before `read` for a bad position
    /// or length.
    @inline(__always)
    func readRecord(at start: Position, _ read: (UnsafeRawBufferPointer, Position) throws(QueueError) -> Void) throws(QueueError) {
        var position = start
        try check(position, "head")
        if position.offset == Self.blockSize {
            position = Position(block: try nextBlock(after: position.block), offset: 0)
        }
        let data = blockData(position.block)
        let rawLength = data.load(fromByteOffset: position.offset, as: UInt64.self)
        position.offset += Self.recordHeaderSize
        if rawLength > UInt64(Self.blockSize - position.offset) {
            try readSpanning(rawLength: rawLength, at: position, read)
            return
        }
        let length = Int(rawLength)
        let end = Position(block: position.block, offset: (position.offset + length + 7) & ~7)
        try read(UnsafeRawBufferPointer(start: data + position.offset, count: length), end)
    }

    /// A payload that continues into later blocks: gathered into a temporary buffer, once its
    /// length is checked against the bytes up to the tail.
    @inline(never)
    func readSpanning(rawLength: UInt64, at start: Position, _ read: (UnsafeRawBufferPointer, Position) throws(QueueError) -> Void) throws(QueueError) {
        let length = try checkedSpan(rawLength, from: start)
        var position = start
        try withUnsafeTemporaryAllocation(byteCount: length, alignment: 16) { (buffer: UnsafeMutableRawBufferPointer) throws(QueueError) in
            var copied = 0
            while copied < length {
                if position.offset == Self.blockSize {
                    // Links may change under us since the span check: each is checked again.
                    position = Position(block: try nextBlock(after: position.block), offset: 0)
                }
                let n = min(length - copied, Self.blockSize - position.offset)
                (buffer.baseAddress! + copied).copyMemory(from: blockData(position.block) + position.offset, byteCount: n)
                position.offset += n
                copied += n
            }
            position.offset = (position.offset + 7) & ~7
            try read(UnsafeRawBufferPointer(buffer), position)
        }
    }

    /// `rawLength` as a byte count, after checking that so many bytes from `start` (a checked
    /// position) lie in linked blocks before the tail, following at most ``maxBlocks`` links.
    func checkedSpan(_ rawLength: UInt64, from start: Position) throws(QueueError) -> Int {
        guard rawLength <= UInt64(Self.maxBlocks) * UInt64(Self.blockSize) else {
            throw .corrupted("a message length of \(rawLength) bytes")
        }
        let length = Int(rawLength)
        let tailPosition = Cursor(tail.pointee.load(ordering: .acquiring)).position
        var position = start
        var remaining = length
        for _ in 0...Self.maxBlocks {
            let stop = position.block == tailPosition.block ? tailPosition.offset : Self.blockSize
            if position.offset <= stop && remaining <= stop - position.offset { return length }
            if position.block == tailPosition.block { break }
            remaining -= Self.blockSize - position.offset
            position = Position(block: try nextBlock(after: position.block), offset: 0)
        }
        throw .corrupted("a message of \(length) bytes runs past the tail")
    }
}
