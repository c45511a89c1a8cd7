import Glibc
import Testing
@testable import Multitask

/// A shared barrier's arrival count lives in memory every process holding it can write.
@Suite("Shared Barrier: the count word is hostile input", .timeLimit(.minutes(1)))
struct SharedBarrierWordTests {
    @Test("an arrival count at or past the parties breaks the barrier instead of trapping; a reset repairs it")
    func impossibleCount() throws {
        for garbage in [UInt32(2), 1000, UInt32.max] {
            let barrier = try Barrier(parties: 2, placement: .shared)
            #expect(HostilePeer.store(garbage, at: 0, in: UnsafeMutableRawPointer(barrier.core.count.pointer)) == .exited(0))
            #expect(throws: BarrierError.broken) { try barrier.wait(timeout: .seconds(10)) }
            barrier.reset()
            #expect(barrier.core.count.load() == 0)
            // Usable again: two parties pass together.
            let other = Thread { _ = try barrier.wait(timeout: .seconds(10)) }
            other.start()
            #expect(throws: Never.self) { try barrier.wait(timeout: .seconds(10)) }
            other.join()
        }
    }
}
