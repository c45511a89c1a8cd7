/// The task that carries one chunk of a `map`: the function's name (in the type) and its
/// inputs. Python sends a chunk as one task too; the first error stops the chunk, as it stops
/// the map.
///
/// A chunk does not travel through its `Codable` conformance: its inputs and outputs use
/// ``PoolArrayCodec`` (raw bytes for `BitwiseCodable` elements), see ``PoolChunkCoding``.
struct PoolChunk<Function: PoolFunction>: PoolTask {
    var inputs: [Function.Input]

    func run() throws -> [Function.Output] {
        try Self.apply(inputs)
    }

    /// `Function.run` over `inputs`. Written with buffer pointers because a worker reaches
    /// this code through a type found by name at run time, that is unspecialized: no
    /// per-element `append` bookkeeping then.
    static func apply(_ inputs: [Function.Input]) throws -> [Function.Output] {
        try inputs.withUnsafeBufferPointer { source in
            try [Function.Output](unsafeUninitializedCapacity: source.count) { target, initialized in
                for index in source.indices {
                    (target.baseAddress! + index).initialize(to: try Function.run(source[index]))
                    initialized = index + 1
                }
            }
        }
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
    static func makeRunner() -> PoolTaskRunner {
        let inputs = PoolArrayCodec<Function.Input>(), outputs = PoolArrayCodec<Function.Output>()
        if let inputSize = inputs.rawSize, outputs.rawSize != nil {
            // Raw both ways and a small chunk: read each input from the frame and append each
            // output's bytes, with no arrays in between (larger chunks copy faster as arrays).
            return PoolTaskRunner { task, output in
                guard task.count <= 8 * inputSize else {
                    return try outputs.append(apply(inputs.decode(from: task))[...], to: &output)
                }
                guard task.count % inputSize == 0 else {
                    throw CodecError.invalid("\(task.count) bytes are not a whole number of \(Function.Input.self) values", offset: 0)
                }
                for offset in stride(from: 0, to: task.count, by: inputSize) {
                    // Invariant: Input is BitwiseCodable, so any bytes are a valid value.
                    let value = try Function.run(task.loadUnaligned(fromByteOffset: offset, as: Function.Input.self))
                    withUnsafeBytes(of: value) { output.append(contentsOf: $0) }
                }
            }
        }
        return PoolTaskRunner { task, output in
            try outputs.append(apply(inputs.decode(from: task))[...], to: &output)
        }
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
