import Glibc
import Testing
@testable import Multitask

/// A shared lock's word lives in memory every process holding the lock can write: garbage
/// written there by a hostile peer (a fork child, through its own mapping) must never trap,
/// never be mistaken for a live owner when it names no possible process, and never make a
/// timed acquire outlive its timeout.
@Suite("Shared Lock: the lock word is hostile input", .timeLimit(.minutes(1)))
struct SharedLockWordTests {
    static func word(of lock: Lock) -> UnsafeMutableRawPointer { UnsafeMutableRawPointer(lock.core.word.pointer) }

    @Test("a word whose owner field is no possible pid is taken over as a dead owner's")
    func impossibleOwner() throws {
        for garbage in [MutexCore.sharedSleepersBit, 1 << 30, MutexCore.sharedOwnerMask, UInt32.max] {
            let lock = try Lock(placement: .shared)
            #expect(HostilePeer.store(garbage, at: 0, in: Self.word(of: lock)) == .exited(0))
            let owner = Int32(garbage & MutexCore.sharedOwnerMask)
            #expect(lock.acquireReportingDeadOwner(timeout: .seconds(20)) == .acquiredAfterOwnerDied(pid: owner), "word \(garbage)")
            lock.release()
            #expect(lock.tryAcquire())
            lock.release()
        }
    }

    @Test("a word naming a live process: a timed acquire fails at its timeout, and succeeds once the word is cleared")
    func liveOwner() throws {
        let lock = try Lock(placement: .shared)
        #expect(HostilePeer.store(UInt32(getppid()), at: 0, in: Self.word(of: lock)) == .exited(0))
        #expect(!lock.tryAcquire())
        let waited = elapsed { #expect(lock.acquireReportingDeadOwner(timeout: .milliseconds(100)) == .timedOut) }
        #expect(waited < .seconds(10))
        #expect(HostilePeer.store(UInt32(0), at: 0, in: Self.word(of: lock)) == .exited(0))
        #expect(lock.acquire(timeout: .seconds(10)))
        lock.release()
    }

    @Test("300 seeded garbage words: every timed acquire returns within its timeout, and release never traps")
    func randomWords() throws {
        let lock = try Lock(placement: .shared)
        var random = SplitMix64(state: 0x10C4)
        for seed in 0..<300 {
            let garbage = UInt32(truncatingIfNeeded: random.next())
            #expect(HostilePeer.store(garbage, at: 0, in: Self.word(of: lock)) == .exited(0))
            let waited = elapsed {
                if lock.acquireReportingDeadOwner(timeout: .milliseconds(2)) != .timedOut { lock.release() }
            }
            #expect(waited < .seconds(5), "seed \(seed): word \(garbage)")
        }
    }
}
