@testable import Multitask

extension QueueStorage {
    /// Writes what a producer killed in the middle of a put leaves behind (caller holds the
    /// producer lock): a garbage record after the tail and an advanced private tail copy.
    func scribbleUnpublishedRecordForTesting() {
        let cursor = Cursor(base.load(fromByteOffset: Offset.producerCursor, as: UInt64.self))
        let data = blockData(cursor.position.block) + cursor.position.offset
        data.storeBytes(of: UInt64(1 << 40), as: UInt64.self)
        var advanced = cursor
        advanced.count &+= 7
        advanced.position.offset += 64
        base.storeBytes(of: advanced.raw, toByteOffset: Offset.producerCursor, as: UInt64.self)
    }
}
