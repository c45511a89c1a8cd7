import Multitask

/// Starts a `.fork` child for the queue and pipe benchmarks, so
/// they run on the same `Process` machinery users get.
func benchmarkChild(_ body: @escaping @Sendable () throws -> Void) -> Process {
    let child = Process(name: "benchmark-child", target: body)
    do {
        try child.start()
    } catch {
        fatalError("benchmark: cannot start a child process: \(error)")
    }
    return child
}

/// Carries values into a `.fork` child's closure. The child works on its own copy of the
/// parent's memory, so values that are not `Sendable` (pointers into shared memory, closures
/// over a queue) are safe to hand over; do not use it for threads.
// @unchecked: used only to hand values to a fork child, which gets its own copy (never to a thread).
struct ForkCapture<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// `byteCount` zeroed bytes of shared memory for a benchmark and its child to signal through
/// (keep `owner` alive while they do). A measurement cannot run without them: failing to get
/// them stops the program.
func benchmarkSharedBytes(_ byteCount: Int) -> SharedArena.Placement {
    do {
        return try SharedArena.allocate(byteCount: byteCount)
    } catch {
        fatalError("benchmark: cannot create shared memory: \(error)")
    }
}
