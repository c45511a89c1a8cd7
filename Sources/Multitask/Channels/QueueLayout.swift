/// The layout of a queue's segment: a one-page header of shared words (fields written by
/// different sides on different cache lines), a table of block links, then 64 KiB blocks
/// holding records (an 8-byte length, then the payload padded to 8 bytes). The constants,
/// offsets and packed words every other part of ``QueueStorage`` reads and writes.
extension QueueStorage {
    static let blockSize = 64 * 1024
    static let headerSize = 4096
    /// The successor of each block, in a table apart from the blocks so that a free block's
    /// memory can be returned whole. Its pages are backed as block indices come into use.
    static let linksOffset = headerSize
    static let blocksOffset = linksOffset + Int(maxBlocks) * MemoryLayout<UInt32>.size
    static let initialBlocks: UInt32 = 4
    /// Free blocks beyond this many linked ones are unlinked and their memory returned,
    /// once the queue has not grown for ``trimDelay`` nanoseconds.
    static let retainedBlocks: UInt32 = 16
    static let trimDelay: Int64 = 1_000_000_000
    /// The mapping reserved for every queue: 65536 blocks, 4 GiB of queued bytes at most.
    static let maxBlocks: UInt32 = 1 << 16
    static let recordHeaderSize = 8
    static let magic: UInt32 = 0x4D_54_51_31 // "MTQ1"

    // Header offsets: fields written by different sides sit on different cache lines.
    // Internal so that tests can corrupt them as a hostile peer would.
    enum Offset {
        static let magic = 0, maxSize = 4
        static let closed = 64
        static let producerLock = 128, allocatedBlocks = 132, cachedHeadCount = 136
        static let linkedBlocks = 140, freeBlocks = 144, headCountAtLastSwitch = 148, lastGrowth = 152
        static let producerCursor = 160
        static let tail = 192
        static let consumerLock = 256, cachedTailCount = 260
        static let head = 320
        static let notEmpty = 384
        static let notFull = 448
        static let tasksDone = 512
        static let tasksDoneEvent = 576
    }

    /// A read or write position: block index and byte offset in the block's data area,
    /// packed into 32 bits as `block << 14 | offset / 8` (the offset runs up to the block
    /// size inclusive: a position at the very end means "continue in the next block").
    struct Position: Equatable {
        var block: UInt32
        var offset: Int

        init(block: UInt32, offset: Int) {
            self.block = block
            self.offset = offset
        }

        init(packed: UInt32) {
            block = packed >> 14
            offset = Int(packed & 0x3FFF) << 3
        }

        var packed: UInt32 { block << 14 | UInt32(offset >> 3) }
    }

    /// The tail or head word: messages ever published (or consumed) and the position.
    struct Cursor {
        var count: UInt32
        var position: Position

        init(_ raw: UInt64) {
            count = UInt32(truncatingIfNeeded: raw)
            position = Position(packed: UInt32(truncatingIfNeeded: raw >> 32))
        }

        init(count: UInt32, position: Position) {
            self.count = count
            self.position = position
        }

        var raw: UInt64 { UInt64(position.packed) << 32 | UInt64(count) }
    }

    /// The bytes every queue maps: header, links and ``maxBlocks`` blocks.
    static let mappedLength = blocksOffset + Int(maxBlocks) * blockSize

    @inline(__always)
    static func blockOffset(_ block: UInt32) -> Int { blocksOffset + Int(block) * blockSize }

    @inline(__always)
    static func linkOffset(_ block: UInt32) -> Int { linksOffset + Int(block) * MemoryLayout<UInt32>.size }

    @inline(__always)
    static func next(of block: UInt32, base: UnsafeMutableRawPointer) -> UInt32 {
        base.load(fromByteOffset: linkOffset(block), as: UInt32.self)
    }

    static func setNext(of block: UInt32, to next: UInt32, base: UnsafeMutableRawPointer) {
        base.storeBytes(of: next, toByteOffset: linkOffset(block), as: UInt32.self)
    }
}
