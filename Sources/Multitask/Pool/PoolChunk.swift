/// The task that carries one chunk of a `map`: the function's name (in the type) and its
/// inputs. Python sends a chunk as one task too; the first error stops the chunk, as it stops
/// the map.
///
/// A chunk does not travel through its `Codable` conformance: its inputs and outputs use
/// ``PoolArrayCodec`` (raw bytes for `BitwiseCodable` elements), see ``PoolChunkCoding``.
struct PoolChunk<Function: PoolFunction>: PoolTask {
    var inputs: [Function.Input]

    func run() throws -> [Function.Output] {
        try Function.applyPoolChunk(inputs)
    }
}

/// Tasks with a wire format of their own, chosen by the worker from the task's type.
protocol PoolChunkCoding {
    /// A runner that decodes such a task, runs it, and appends its encoded output.
    static func makeRunner() -> PoolTaskRunner
    /// Decodes without running (the parent's warm-up before fork).
    static func decodeOnly(_ task: UnsafeRawBufferPointer) throws
}

extension PoolChunk: PoolChunkCoding {
    /// The function's own chunk code (see ``PoolFunction/_poolChunkBody()``).
    static func makeRunner() -> PoolTaskRunner {
        PoolTaskRunner(run: Function._poolChunkBody())
    }

    static func decodeOnly(_ task: UnsafeRawBufferPointer) throws {
        _ = try PoolArrayCodec<Function.Input>().decode(from: task)
    }
}

/// The argument pair of a ``PoolBinaryFunction`` call, as it travels.
struct PoolArgumentPair<First: Codable & Sendable, Second: Codable & Sendable>: Codable, Sendable {
    var first: First
    var second: Second
}

/// A ``PoolBinaryFunction`` seen as a ``PoolFunction`` of argument pairs, so `starmap` is `map`.
enum PoolSpread<Function: PoolBinaryFunction>: PoolFunction {
    static func run(_ input: PoolArgumentPair<Function.First, Function.Second>) throws -> Function.Output {
        try Function.run(input.first, input.second)
    }
}
