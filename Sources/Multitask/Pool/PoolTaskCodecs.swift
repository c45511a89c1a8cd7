/// What a process ``Pool`` needs of one ``PoolTask`` type to encode its tasks and settle their
/// results, made once per pool and type, when the type is first submitted.
///
/// The closures are made in the submitter's own code (``Pool/applyAsync(_:timeout:)`` is an
/// inlinable shell), so they are specialised for the type: the dispatcher thread decodes every
/// reply and completes its ``AsyncResult`` through them without a generic metadata lookup.
/// A type whose values carry no data (size zero, like a `struct NoOp: PoolTask {}`) has one
/// value, so its encoding is made once, from the first task, and shared by every task after
/// (and a worker decodes those bytes once: see ``PoolTaskRunner``).
@usableFromInline
final class PoolTaskCodecs: Sendable {
    /// Decodes a reply into the output and completes the result (an `AsyncResult` of the
    /// output); throws `CodecError`, completing nothing, when the bytes are not an output.
    @usableFromInline let settle: @Sendable (_ result: AnyObject, _ reply: UnsafeRawBufferPointer) throws -> Void
    /// Fails the result (an `AsyncResult` of the output) with the error.
    @usableFromInline let fail: @Sendable (_ result: AnyObject, _ error: any Error) -> Void
    /// The encoding of every task, for a type with no stored data; nil otherwise.
    @usableFromInline let constantPayload: [UInt8]?
    /// Decodes an encoded task as a worker would, without running it (see ``PoolWarmUp``).
    let rehearseDecoding: @Sendable (_ payload: [UInt8]) -> Void

    /// Codecs made of these closures (see ``init(_:)`` for those of a task type).
    @usableFromInline
    init(settle: @escaping @Sendable (AnyObject, UnsafeRawBufferPointer) throws -> Void,
         fail: @escaping @Sendable (AnyObject, any Error) -> Void,
         constantPayload: [UInt8]?, rehearseDecoding: @escaping @Sendable ([UInt8]) -> Void) {
        self.settle = settle
        self.fail = fail
        self.constantPayload = constantPayload
        self.rehearseDecoding = rehearseDecoding
    }

    /// The codecs of `Task`, whose first submitted value is `first`.
    @inlinable
    convenience init<Task: PoolTask>(_ first: Task) {
        self.init(
            settle: { result, reply in
                // Invariant: a submission of a `Task` pairs these codecs with an `AsyncResult<Task.Output>`.
                unsafeDowncast(result, to: AsyncResult<Task.Output>.self).succeed(try Self.decode(Task.Output.self, from: reply))
            },
            fail: { result, error in
                unsafeDowncast(result, to: AsyncResult<Task.Output>.self).fail(error, unlessStarted: false)
            },
            constantPayload: Self.constantEncoding(of: first),
            rehearseDecoding: Self.rehearsal(of: Task.self)
        )
    }

    /// Decoding `Task`s as a worker does, without running them (see ``PoolWarmUp``).
    @usableFromInline
    static func rehearsal<Task: PoolTask>(of _: Task.Type) -> @Sendable ([UInt8]) -> Void {
        { PoolWarmUp.rehearseDecoding(Task.self, payload: $0) }
    }

    /// Appends the encoding of `task` to `payload`: its raw bytes when it travels raw (see
    /// ``RawBytesRule``), the binary `Codable` format otherwise.
    @inlinable
    static func encode<Task: PoolTask>(_ task: Task, into payload: inout [UInt8]) throws {
        if RawBytesRule.applies(to: Task.self) { return withUnsafeBytes(of: task) { payload.append(contentsOf: $0) } }
        try BinaryEncoder().append(task, to: &payload)
    }

    /// Decodes a reply: a raw output is loaded straight from the frame (no temporary), any
    /// other through the `Codable` format. Throws `CodecError` when the bytes are not an output.
    @inlinable
    static func decode<Output: Codable & Sendable>(_: Output.Type, from bytes: UnsafeRawBufferPointer) throws -> Output {
        let size = MemoryLayout<Output>.size
        guard RawBytesRule.applies(to: Output.self), size > 0 else { return try MessageCodec<Output>().decode(from: bytes) }
        guard bytes.count == size else { throw PoolTaskCodecs.wrongSize(of: Output.self, size: size, bytes.count) }
        // Invariant: Output travels raw, so it is trivial and accepts every bit pattern.
        return bytes.loadUnaligned(as: Output.self)
    }

    /// The error for a raw reply of `count` bytes that is not one `output` (of `size` bytes).
    @usableFromInline
    static func wrongSize(of output: Any.Type, size: Int, _ count: Int) -> CodecError {
        .invalid("a \(output) message is \(size) bytes, not \(count)", offset: 0)
    }

    /// The one encoding of a type with no stored data, made from `value`; nil for any other
    /// type (and when the value does not encode: each task then fails as it encodes).
    @usableFromInline
    static func constantEncoding<Task: PoolTask>(of value: Task) -> [UInt8]? {
        guard MemoryLayout<Task>.size == 0, _isPOD(Task.self) else { return nil }
        var payload: [UInt8] = []
        return (try? encode(value, into: &payload)).map { payload }
    }
}

/// A pool's ``PoolTaskCodecs`` of one type, held without counting references: submitting a
/// task and settling it, on two threads, then touch no shared reference count (one cache line
/// moving between the two CPUs for every task). The pool's ``PoolInbox`` keeps the codecs for
/// its whole life, and every holder of a submission keeps the inbox (the dispatcher, the pool
/// during a call, a ``PoolRemoteTask``).
struct PoolCodecsReference: Sendable {
    private let unmanaged: Unmanaged<PoolTaskCodecs>
    /// Whether the type has one encoding (``PoolTaskCodecs/constantPayload``), known without
    /// reaching the codecs.
    let hasConstantPayload: Bool

    /// A reference to `codecs`, which something else keeps.
    init(_ codecs: PoolTaskCodecs) {
        unmanaged = .passUnretained(codecs)
        hasConstantPayload = codecs.constantPayload != nil
    }

    /// Calls `body` with the codecs.
    func with<Result>(_ body: (PoolTaskCodecs) throws -> Result) rethrows -> Result {
        try unmanaged._withUnsafeGuaranteedRef(body)
    }
}
