import Synchronization

extension ListFifoCore {
    /// The number of elements before position index `index` (the positions that mark block
    /// installation hold none).
    @inline(__always)
    static func elements(before index: Int) -> Int {
        let position = index >> 1
        return position - position / FifoBlockLayout.lap
    }

    /// The place in its block of the position of index `index`.
    @inline(__always)
    static func offset(of index: Int) -> Int { (index >> 1) & (FifoBlockLayout.lap - 1) }

    /// How many finished blocks a queue keeps for reuse: enough for a consumer a few blocks
    /// behind its producer, so that a steady stream allocates nothing (fresh blocks would
    /// come from pages the allocator gave back, each a page fault).
    static var spareCount: Int { 4 }

    /// A block for the tail: a spare one when there is one, else a new one.
    func newBlock() -> UnsafeMutableRawPointer {
        for place in 0..<Self.spareCount where spares[place].load(ordering: .relaxed) != nil {
            if let block = spares[place].exchange(nil, ordering: .acquiring) {
                layout.reset(block)
                return block
            }
        }
        return layout.allocate()
    }

    /// Keeps `block`, whose slots were all read (or none claimed), as a spare, or frees it
    /// when every place is taken.
    func retire(_ block: UnsafeMutableRawPointer) {
        for place in 0..<Self.spareCount {
            let (kept, _) = spares[place].compareExchange(expected: nil, desired: block, ordering: .releasing)
            if kept { return }
        }
        block.deallocate()
    }
}
