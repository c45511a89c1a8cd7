import Glibc
import Testing
@testable import Multitask

/// A ``SharedValue`` or ``SharedArray`` under a lock the caller made (Python's
/// `Value(…, lock=a_lock)`), here and in children of every start method.
struct GivenLockEntry: ProcessEntry {
    var lock: Lock
    var value: SharedValue<Int>
    var array: SharedArray<Int32>
    func run() throws {
        try childRequire(value.lock.map { $0.storage === lock.storage } == true, "the value's lock is the given lock")
        try childRequire(array.lock.map { $0.storage === lock.storage } == true, "the array's lock is the given lock")
        try childRequire(lock.acquire(timeout: .seconds(30)), "the lock stayed held")
        let sameLock = !value.lock!.tryAcquire() && !array.lock!.tryAcquire()
        lock.release()
        try childRequire(sameLock, "holding the given lock holds the objects' lock")
        for _ in 0..<1_000 {
            value.withLock { $0 += 1 }
            array.withLock { $0[0] += 1 }
        }
    }
}

@Suite("SharedValue and SharedArray under a given lock", .timeLimit(.minutes(2)))
struct SharedObjectLockTests {
    @Test("objects created with one shared lock are guarded by it: holding it holds all of them")
    func oneLockForSeveralObjects() throws {
        let lock = try Lock(placement: .shared, name: "pair")
        let value = try SharedValue(0, lock: lock)
        let array = try SharedArray(repeating: Int32(0), count: 3, lock: lock)
        let copied = try SharedArray([1.5, 2.5], lock: lock)
        #expect(value.lock === lock && array.lock === lock && copied.lock === lock)
        lock.acquire()
        #expect(!value.lock!.tryAcquire() && !array.lock!.tryAcquire())
        lock.release()
        value.withLock { $0 = 5 }
        array[2] = 7
        #expect(value.load() == 5 && array.toArray() == [0, 0, 7] && copied.toArray() == [1.5, 2.5])
        #expect(!lock.isLocked)
    }

    @Test("a process-local lock is refused with a message")
    func localLockRefused() async throws {
        let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = try? SharedValue(0, lock: Lock())
        }
        #expect(result.standardErrorText.contains("SharedValue(lock:): the lock is process-local"))
    }

    @Test("a handle carries the given lock: the decoded objects are guarded by the same lock")
    func handleCarriesTheLock() throws {
        let lock = try Lock(placement: .shared)
        let value = try SharedValue(41, lock: lock)
        let decoded = try BinaryDecoder().decode(SharedValue<Int>.self, from: BinaryEncoder().encode(value))
        #expect(decoded.lock!.storage === lock.storage)
        decoded.withLock { $0 += 1 }
        #expect(value.load() == 42)
        lock.acquire()
        #expect(!decoded.lock!.tryAcquire())
        lock.release()
    }

    @Test("children of every start method use the given lock: 2 × 1000 locked increments, none lost",
          arguments: StartMethod.allCases)
    func childrenShareTheLock(method: StartMethod) throws {
        let lock = try Lock(placement: .shared)
        let entry = GivenLockEntry(lock: lock, value: try SharedValue(0, lock: lock),
                                   array: try SharedArray(repeating: 0, count: 2, lock: lock))
        let children = (0..<2).map { _ in Multitask.Process(startMethod: method, entry: entry) }
        for child in children { try child.start() }
        for child in children {
            #expect(joinOrKill(child, timeout: .seconds(60)))
            #expect(child.exitCode == 0)
        }
        #expect(entry.value.load() == 2_000)
        #expect(entry.array.toArray() == [2_000, 0])
    }
}

@Suite("SharedArray as a collection")
struct SharedArrayCollectionTests {
    @Test("iteration, slices, indices and the Sequence algorithms see the shared elements", arguments: [true, false])
    func collection(locked: Bool) throws {
        let array = try SharedArray([3, 1, 4, 1, 5], lock: locked)
        #expect(Array(array) == [3, 1, 4, 1, 5])
        var seen: [Int] = []
        for element in array { seen.append(element) }
        #expect(seen == [3, 1, 4, 1, 5])
        #expect(array.indices == 0..<5 && array.startIndex == 0 && array.endIndex == 5)
        #expect(Array(array[1..<3]) == [1, 4] && Array(array[2...]) == [4, 1, 5])
        #expect(array[1..<3].startIndex == 1)
        #expect(array.reduce(0, +) == 14 && array.max() == 5 && array.sorted() == [1, 1, 3, 4, 5])
        #expect(array.first == 3 && array.last == 5 && Array(array.reversed()) == [5, 1, 4, 1, 3])
        #expect(array.firstIndex(of: 4) == 2 && array.contains(5) && !array.isEmpty)
        #expect(array.distance(from: 0, to: 4) == 4 && array.index(0, offsetBy: 3) == 3)
        #expect(try SharedArray([Int](), lock: locked).isEmpty)
    }

    @Test("a slice reads what another process wrote after it was made")
    func sliceIsLive() throws {
        let array = try SharedArray(repeating: 0, count: 4)
        let tail = array[2...]
        let child = Multitask.Process { array[3] = 9 }
        try child.start()
        #expect(joinOrKill(child))
        #expect(Array(tail) == [0, 9])
    }
}
