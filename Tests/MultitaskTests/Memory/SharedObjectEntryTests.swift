import Glibc
import Testing
@testable import Multitask

/// An entry that carries shared primitives as handles. The parent holds `held` and the only
/// unit of `slots`; the child checks that it sees them taken, writes to `value` and `array`,
/// takes every lock of `locks`, meets the parent at `barrier`, then waits for `held`. It
/// reports on `report` how many memfd descriptors it holds and how many segments its objects
/// map (every object placed in one arena segment shares one mapping, and the descriptors that
/// carried the handles are closed after decoding).
struct SharedObjectsEntry: ProcessEntry {
    var held: Lock
    var slots: Multitask.Semaphore
    var barrier: Barrier
    var condition: Condition
    var value: SharedValue<Int>
    var array: SharedArray<Int32>
    var locks: [Lock]
    var report: Multitask.Queue<String>

    func run() throws {
        try childRequire(held.name == "parent-held")
        try childRequire(!held.tryAcquire(), "the parent holds the lock")
        try childRequire(!slots.tryAcquire(), "the parent holds the unit")
        value.withLock { $0 += 42 }
        array[3] = 7
        try childRequire(locks.allSatisfy { $0.tryAcquire() })
        try childRequire(condition.acquire(timeout: .seconds(30)))
        condition.notifyAll()
        condition.release()
        _ = try barrier.wait()
        try childRequire(held.acquire(timeout: .seconds(30)), "the parent's release did not arrive")
        held.release()
        let storages = [held.storage, slots.storage, barrier.storage, value.lock!.storage, array.lock!.storage] + locks.map(\.storage)
        let segments = Set(storages.map { ObjectIdentifier($0.owner!) })
        try report.put("memfds \(QueueEchoEntry.sharedMemoryDescriptors()) segments \(segments.count)")
    }
}

@Suite("Shared objects inside entry values, with every start method", .serialized)
struct SharedObjectEntryTests {
    @Test("shared primitives in an entry value are the parent's own, in the child", .timeLimit(.minutes(2)),
          arguments: StartMethod.allCases)
    func primitivesTravel(method: StartMethod) throws {
        let entry = SharedObjectsEntry(
            held: try Lock(placement: .shared, name: "parent-held"), slots: try Multitask.Semaphore(value: 1, placement: .shared),
            barrier: try Barrier(parties: 2, placement: .shared, timeout: .seconds(30)), condition: try Condition(placement: .shared),
            value: try SharedValue(0), array: try SharedArray(repeating: 0, count: 4),
            locks: try (0..<100).map { _ in try Lock(placement: .shared) }, report: try Multitask.Queue<String>())
        entry.held.acquire()
        entry.slots.acquire()
        let child = Multitask.Process(startMethod: method, entry: entry)
        try child.start()
        _ = try? entry.barrier.wait()
        #expect(entry.value.load() == 42)
        #expect(entry.array.toArray() == [0, 0, 0, 7])
        #expect(entry.locks.allSatisfy { $0.isLocked })
        entry.held.release()
        let report = try entry.report.get(timeout: .seconds(60))
        #expect(joinOrKill(child, timeout: .seconds(60)))
        #expect(child.exitCode == 0)
        // A fork child inherits every descriptor of the test runner; the others hold one per
        // segment, plus the report queue's.
        let numbers = report.split(separator: " ").compactMap { Int($0) }
        #expect(numbers.count == 2)
        if method != .fork, numbers.count == 2 {
            #expect(numbers[0] == numbers[1] + 1, "\(report)")
            #expect(numbers[1] <= 3, "\(report)")
        }
    }
}
