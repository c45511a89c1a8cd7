import Synchronization
import Testing
@testable import Multitask

/// The raw storage of an ``AsyncResult``'s value (``AsyncResultValueSlot``): values in place
/// and behind a pointer come back intact as often as they are read, and are destroyed once,
/// only when a value was stored. In the release list: it is unsafe memory code.
@Suite("AsyncResultValueSlot", .serialized, .timeLimit(.minutes(2)))
struct AsyncResultValueSlotTests {
    /// Counts the deinits of the objects it tracks.
    final class DeinitCounter: Sendable {
        let count = Atomic<Int>(0)
    }

    /// Counts itself in `counter` when it goes away.
    final class Tracked: Sendable {
        let counter: DeinitCounter
        let tag: Int
        init(_ counter: DeinitCounter, tag: Int) { (self.counter, self.tag) = (counter, tag) }
        deinit { counter.count.add(1, ordering: .relaxed) }
    }

    /// Three words and word-aligned: stored in place.
    struct ThreeWords: Sendable {
        let object: Tracked
        let a: Int
        let b: Int
    }

    /// Five words: stored behind a pointer.
    struct FiveWords: Sendable {
        let object: Tracked
        let a: Int, b: Int, c: Int, d: Int
    }

    static let tasks = 200

    @Test("values in place and behind a pointer read back intact, repeatedly, and are destroyed once")
    func valuesRoundTripAndAreDestroyedOnce() throws {
        #expect(AsyncResultValueSlot.fitsInPlace(ThreeWords.self))
        #expect(!AsyncResultValueSlot.fitsInPlace(FiveWords.self))
        #expect(!AsyncResultValueSlot.fitsInPlace(SIMD4<Double>.self))
        let counter = DeinitCounter()
        try ThreadPool.withPool(threads: 2) { pool throws in
            let small = (0..<Self.tasks).map { i in pool.applyAsync { ThreeWords(object: Tracked(counter, tag: i), a: i, b: -i) } }
            let large = (0..<Self.tasks).map { i in
                pool.applyAsync { FiveWords(object: Tracked(counter, tag: i), a: i, b: 2 * i, c: 3 * i, d: 4 * i) }
            }
            let strings = (0..<Self.tasks).map { i in pool.applyAsync { String(repeating: "x", count: i) } }
            let vectors = (0..<Self.tasks).map { i in pool.applyAsync { SIMD4<Double>(Double(i), 1, 2, 3) } }
            for (i, result) in small.enumerated() {
                for _ in 0..<2 {
                    let value = try result.get()
                    #expect(value.object.tag == i && value.a == i && value.b == -i)
                }
            }
            for (i, result) in large.enumerated() {
                for _ in 0..<2 {
                    let value = try result.get()
                    #expect(value.object.tag == i && value.a == i && value.b == 2 * i && value.c == 3 * i && value.d == 4 * i)
                }
                let seen = Atomic<Int>(-1)
                result.onCompletion { if case .success(let value) = $0 { seen.store(value.d, ordering: .relaxed) } }
                #expect(seen.load(ordering: .relaxed) == 4 * i)
            }
            for (i, result) in strings.enumerated() { #expect(try result.get() == String(repeating: "x", count: i)) }
            for (i, result) in vectors.enumerated() { #expect(try result.get() == SIMD4<Double>(Double(i), 1, 2, 3)) }
            // Swift may end the arrays' lifetimes at their last use: keep them to the check.
            withExtendedLifetime((small, large)) {
                #expect(counter.count.load(ordering: .relaxed) == 0, "a value was destroyed while its result lives")
            }
        }
        #expect(counter.count.load(ordering: .relaxed) == 2 * Self.tasks, "values destroyed: \(counter.count.load(ordering: .relaxed))")
    }

    static let mapItems = Array(0..<5_000)
    static let mapChunks = [1, 7, 1_000, 10_000]

    @Test("ThreadPool.map's values come back whole and in order for every chunk size")
    func mapValuesComeBack() throws {
        // map's whole result is an array stored in an AsyncResult's slot: a read that the
        // optimizer reorders against the slot's raw-word stores loses it ("0 of N values").
        try ThreadPool.withPool(threads: 2) { pool throws in
            for chunk in Self.mapChunks {
                #expect(try pool.map(Self.mapItems, chunkSize: chunk) { $0 &* 3 &+ 1 } == Self.mapItems.map { $0 &* 3 &+ 1 }, "chunk \(chunk)")
                let strings = try pool.map(Self.mapItems.prefix(200), chunkSize: chunk) { String($0) }
                #expect(strings == Self.mapItems.prefix(200).map { String($0) }, "strings, chunk \(chunk)")
            }
        }
    }

    @Test("ThreadPool.map awaited from async code gives the same values")
    func asyncMapValuesComeBack() async throws {
        let pool = ThreadPool(threads: 2)
        defer { pool.terminate(); pool.join() }
        for chunk in Self.mapChunks {
            let values = try await pool.map(Self.mapItems, chunkSize: chunk) { $0 &* 3 &+ 1 }
            #expect(values == Self.mapItems.map { $0 &* 3 &+ 1 }, "chunk \(chunk)")
        }
    }

    @Test("failed and never-run tasks store no value, and their results go away cleanly")
    func failedAndDiscardedTasksStoreNothing() throws {
        struct Failure: Error {}
        let counter = DeinitCounter()
        let gate = Event()
        ThreadPool.withPool(threads: 1) { pool in
            let failed = pool.applyAsync { () throws -> FiveWords in throw Failure() }
            #expect(throws: Failure.self) { try failed.get() }
            let blocker = pool.applyAsync { gate.wait() }
            let discarded = (0..<Self.tasks).map { i in
                pool.applyAsync { FiveWords(object: Tracked(counter, tag: i), a: 0, b: 0, c: 0, d: 0) }
            }
            pool.terminate()
            gate.set()
            blocker.wait()
            for result in discarded { #expect(throws: PoolError.terminated) { try result.get() } }
        }
        #expect(counter.count.load(ordering: .relaxed) == 0)
    }
}
