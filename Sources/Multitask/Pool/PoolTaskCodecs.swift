/// The codecs of one ``PoolTask`` type in one process ``Pool``, made once, when the type is
/// first submitted.
///
/// Making a ``MessageCodec`` decides between raw bytes and the `Codable` format with a dynamic
/// cast; keeping the two codecs here spares every task that cast on submission and every
/// reply the same on the dispatcher thread.
final class PoolTaskCodecs<Task: PoolTask>: Sendable {
    /// Encodes the tasks.
    let task = MessageCodec<Task>()
    /// Decodes the workers' replies.
    let output = MessageCodec<Task.Output>()
    /// The codecs of `Task`.
    init() {}

    /// The codecs in `ticket` (the inbox made them for `Task`).
    static func of(_ ticket: PoolInbox.Ticket) -> PoolTaskCodecs<Task> {
        // Invariant: the inbox keys each type's codecs by the type itself.
        unsafeDowncast(ticket.codecs, to: PoolTaskCodecs<Task>.self)
    }

    /// Appends the encoding of `value` to `payload`.
    func encode(_ value: Task, into payload: inout [UInt8]) throws {
        try task.append(value, to: &payload)
    }

    /// Decodes a reply: a raw output is loaded straight from the frame (no temporary), any
    /// other through the `Codable` format. Throws `CodecError` when the bytes are not an output.
    func decodeOutput(from bytes: UnsafeRawBufferPointer) throws -> Task.Output {
        guard let size = output.rawSize, size > 0 else { return try output.decode(from: bytes) }
        guard bytes.count == size else {
            throw CodecError.invalid("a \(Task.Output.self) message is \(size) bytes, not \(bytes.count)", offset: 0)
        }
        // Invariant: Output travels raw, so it is trivial and accepts every bit pattern.
        return bytes.loadUnaligned(as: Task.Output.self)
    }
}
