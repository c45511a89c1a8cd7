import Testing
@testable import Multitask

/// The shell every primitive shares (`SyncPrimitive`, `RawLock`, `LockShell`): the names it
/// gives messages and handles, and the re-entry rules the detector hooks rely on.
@Suite("Primitive shell")
struct SyncPrimitiveShellTests {
    @Test("handles name each primitive's type, as the wire format always did")
    func handleKinds() {
        #expect(Lock.handleKind == "Lock")
        #expect(RLock.handleKind == "RLock")
        #expect(Semaphore.handleKind == "Semaphore")
        #expect(BoundedSemaphore.handleKind == "Semaphore")
        #expect(Condition.handleKind == "Condition")
        #expect(Event.handleKind == "Event")
        #expect(Barrier.handleKind == "Barrier")
    }

    @Test("a bounded semaphore is named BoundedSemaphore in messages, even decoded as a Semaphore")
    func semaphoreKinds() throws {
        #expect("\(Semaphore(value: 2).kind)" == "Semaphore")
        #expect("\(BoundedSemaphore(value: 2).kind)" == "BoundedSemaphore")
        let bounded = try BoundedSemaphore(value: 2, placement: .shared)
        let decoded = try BinaryDecoder().decode(Semaphore.self, from: BinaryEncoder().encode(bounded))
        #expect("\(decoded.kind)" == "BoundedSemaphore")
        #expect("\(try Semaphore(value: 2, placement: .shared).kind)" == "Semaphore")
    }

    @Test("only an RLock's first acquire is an acquisition and only its last release opens it")
    func reentry() {
        let rlock = RLock()
        #expect(!rlock.raw.isHeldByCaller)
        rlock.acquire()
        #expect(rlock.raw.isHeldByCaller)
        #expect(rlock.raw.releaseOpens)
        rlock.acquire()
        #expect(!rlock.raw.releaseOpens)
        rlock.release()
        #expect(rlock.raw.releaseOpens)
        rlock.release()
        #expect(!rlock.raw.isHeldByCaller)

        let lock = Lock()
        lock.acquire()
        #expect(!lock.raw.isHeldByCaller)     // not re-entrant: a second acquire would wait
        #expect(lock.raw.releaseOpens)
        lock.release()
    }

    @Test("a semaphore goes through the detector only when it is a mutex in all but name")
    func semaphoreObservation() {
        #expect(Semaphore(value: 1).observedAsLock)
        #expect(!Semaphore(value: 2).observedAsLock)
        #expect(Lock().observedAsLock && RLock().observedAsLock)
    }
}
