import Multitask

/// Runs async work from the tool's synchronous commands: the work runs on Swift's concurrency
/// pool while the calling thread waits for its value.
enum BlockingAsync {
    /// `body`'s value, once it is there (the calling thread blocks meanwhile).
    static func run<Value: Sendable>(_ body: @escaping @Sendable () async -> Value) -> Value {
        let outcome = BlockingValue<Value>()
        Task { outcome.finish(await body()) }
        return outcome.wait()
    }
}

/// A value written once by async work and read by the thread waiting for it.
// @unchecked: `value` is written once before `done.set()` and read after `done.wait()`.
private final class BlockingValue<Value: Sendable>: @unchecked Sendable {
    private var value: Value?
    private let done = Event()

    /// Hands over the value to the waiting thread.
    func finish(_ value: Value) {
        self.value = value
        done.set()
    }

    /// The value, once it is there.
    func wait() -> Value {
        done.wait()
        return value!
    }
}
