/// The task that carries one chunk of a `map`: the function's name (in the type) and its inputs.
///
/// Python sends a chunk as one task too; the first error stops the chunk, as it stops the map.
struct PoolChunk<Function: PoolFunction>: PoolTask {
    var inputs: [Function.Input]

    func run() throws -> [Function.Output] {
        var outputs: [Function.Output] = []
        outputs.reserveCapacity(inputs.count)
        for input in inputs { outputs.append(try Function.run(input)) }
        return outputs
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
