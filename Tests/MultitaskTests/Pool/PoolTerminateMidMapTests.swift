import Testing
@testable import Multitask

/// `terminate()` while a `map`'s chunks are queued, sent and answered: the chunks hold their
/// collector (and the raw inputs) unretained, and a run carries many chunks in one
/// submission, so every chunk must be settled exactly once however far the map got — the
/// result completes, and the collector frees itself.
@Suite("Process pool terminate mid-map", .timeLimit(.minutes(3)))
struct PoolTerminateMidMapTests {
    /// Doubles a string (not `BitwiseCodable`: its chunks travel one submission each).
    enum Twice: PoolFunction {
        static func run(_ text: String) -> String { text + text }
    }

    @Test("terminating mid-map settles every chunk once, 50 times over", arguments: [true, false])
    func terminateMidMap(rawInputs: Bool) throws {
        let items = 4_000
        for iteration in 0..<50 {
            let collector = rawInputs
                ? try mapThenTerminate(SquarePoolFunction.self, Array(0..<items), expected: (0..<items).map { $0 * $0 }, iteration: iteration)
                : try mapThenTerminate(Twice.self, (0..<items).map(String.init), expected: (0..<items).map { "\($0)\($0)" },
                                       iteration: iteration)
            #expect(eventually(within: .seconds(10)) { collector.object == nil }, "iteration \(iteration): the collector leaked")
        }
    }

    /// Maps `inputs` on a new pool and terminates it at once or up to 2.4 ms in (by
    /// `iteration`); checks that the map ended with `expected` or `.terminated`, and that the
    /// pool ended. Returns the map's collector, held weakly.
    private func mapThenTerminate<Function: PoolFunction>(
        _: Function.Type, _ inputs: [Function.Input], expected: [Function.Output], iteration: Int
    ) throws -> WeakReference where Function.Output: Equatable {
        let pool = try Pool(processes: 2)
        let map = pool.mapSubmissions(Function.self, inputs, chunkSize: 1, progress: nil, keepsSubmissions: false)
        let collector = WeakReference(map.collector)
        // From at once to a few milliseconds in: chunks queued, in flight and answered.
        if iteration % 5 != 0 { _ = Event().wait(timeout: .microseconds(100 * (iteration % 25))) }
        pool.terminate()
        #expect(pool.join(timeout: .seconds(20)), "iteration \(iteration): the pool did not end")
        do {
            // Finished before the end, or failed with .terminated: never hung, never another error.
            #expect(try map.collector.result.get(timeout: .seconds(20)) == expected, "iteration \(iteration)")
        } catch let error as PoolError {
            #expect(error == .terminated, "iteration \(iteration): \(error)")
        }
        return collector
    }

    /// An object held without keeping it alive.
    final class WeakReference {
        weak var object: AnyObject?
        init(_ object: AnyObject) { self.object = object }
    }
}
