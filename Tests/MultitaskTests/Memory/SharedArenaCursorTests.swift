import Glibc
import Testing
@testable import Multitask

/// The bump cursor of the arena that small shared objects come from lives in shared memory,
/// where any process holding the segment can write it.
@Suite("Shared arena: the cursor is hostile input", .serialized, .timeLimit(.minutes(1)))
struct SharedArenaCursorTests {
    @Test("a cursor a peer set past the segment's end makes the next object take a fresh segment, not trap")
    func cursorPastTheEnd() throws {
        for garbage in [UInt32.max, UInt32.max - 1, UInt32(SharedArena.segmentSize / SharedArena.granule)] {
            _ = try Lock(placement: .shared)
            let segment = try #require(SharedArena.currentSegment)
            #expect(HostilePeer.store(garbage, at: 0, in: segment.bytes.baseAddress!) == .exited(0))
            let lock = try Lock(placement: .shared)
            #expect(SharedArena.currentSegment !== segment)
            #expect(lock.tryAcquire())
            lock.release()
        }
    }
}
