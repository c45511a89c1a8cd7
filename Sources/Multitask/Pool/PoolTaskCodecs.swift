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

    init() {}

    /// The codecs in `ticket` (the inbox made them for `Task`).
    static func of(_ ticket: PoolInbox.Ticket) -> PoolTaskCodecs<Task> {
        // Invariant: the inbox keys each type's codecs by the type itself.
        unsafeDowncast(ticket.codecs, to: PoolTaskCodecs<Task>.self)
    }
}
