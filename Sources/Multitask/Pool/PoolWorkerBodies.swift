/// The default worker code of every ``PoolTask`` and ``PoolFunction`` type: inlinable, so
/// that it is compiled into each conforming type's witness table specialised for that type,
/// in the type's own module. A worker reaches it through the type it found by name, so every
/// task runs specialised code, with no generic metadata looked up per task.
extension PoolTask {
    /// Decodes the task (a type with no stored data is decoded once, see
    /// ``PoolConstantTask``), runs it, appends its encoded output.
    @inlinable
    public static func _poolWorkerBody() -> (_ task: UnsafeRawBufferPointer, _ output: inout [UInt8]) throws -> Void {
        let outputCodec = MessageCodec<Output>()
        if MemoryLayout<Self>.size == 0 && _isPOD(Self.self) {
            let constant = PoolConstantTask<Self>()
            return { bytes, output in try outputCodec.append(try constant.task(from: bytes).run(), to: &output) }
        }
        let taskCodec = MessageCodec<Self>()
        return { bytes, output in try outputCodec.append(try taskCodec.decode(from: bytes).run(), to: &output) }
    }
}

extension PoolFunction {
    /// Decodes a chunk's inputs (``PoolArrayCodec``), runs the function on each in order,
    /// appends the outputs; the first error stops the chunk.
    @inlinable
    public static func _poolChunkBody() -> (_ chunk: UnsafeRawBufferPointer, _ output: inout [UInt8]) throws -> Void {
        let inputs = PoolArrayCodec<Input>(), outputs = PoolArrayCodec<Output>()
        if let inputSize = inputs.rawSize, outputs.rawSize != nil {
            // Raw both ways: each input is read from the frame and each output's bytes
            // appended, with no arrays in between.
            return { chunk, output in
                // Larger chunks copy faster as arrays.
                guard chunk.count <= 8 * inputSize else {
                    return try outputs.append(applyPoolChunk(inputs.decode(from: chunk))[...], to: &output)
                }
                guard chunk.count % inputSize == 0 else {
                    throw CodecError.invalid("\(chunk.count) bytes are not a whole number of \(Input.self) values", offset: 0)
                }
                for offset in stride(from: 0, to: chunk.count, by: inputSize) {
                    // Invariant: Input is BitwiseCodable, so any bytes are a valid value.
                    let value = try run(chunk.loadUnaligned(fromByteOffset: offset, as: Input.self))
                    withUnsafeBytes(of: value) { output.append(contentsOf: $0) }
                }
            }
        }
        return { chunk, output in try outputs.append(applyPoolChunk(inputs.decode(from: chunk))[...], to: &output) }
    }

    /// `run` over `inputs`, in order; the first error stops it.
    @inlinable
    static func applyPoolChunk(_ inputs: [Input]) throws -> [Output] {
        try inputs.withUnsafeBufferPointer { source in
            try [Output](unsafeUninitializedCapacity: source.count) { target, initialized in
                for index in source.indices {
                    (target.baseAddress! + index).initialize(to: try run(source[index]))
                    initialized = index + 1
                }
            }
        }
    }
}

/// The one value of a task type with no stored data, decoded once per worker: the parent
/// encodes it once per pool (see ``PoolTaskCodecs``), so every task brings the same bytes,
/// which are compared rather than decoded again.
@usableFromInline
final class PoolConstantTask<Task: PoolTask> {
    /// The bytes decoded last, and their task. Only the worker's one thread touches them.
    @exclusivity(unchecked) @usableFromInline var bytes: [UInt8] = []
    @exclusivity(unchecked) @usableFromInline var decoded: Task?

    @inlinable
    init() {}

    /// The task `encoded` holds: the one decoded before when the bytes are the same.
    @inlinable
    func task(from encoded: UnsafeRawBufferPointer) throws -> Task {
        if let decoded, bytes.elementsEqual(encoded) { return decoded }
        let task = try MessageCodec<Task>().decode(from: encoded)
        decoded = task
        bytes = Array(encoded)
        return task
    }
}
