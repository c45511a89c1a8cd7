/// One task the dispatcher sent to a worker (or sent, then queued again after the worker's
/// end): a submission and which of its parts (0 for a single task; a chunk of a run, see
/// ``ChunkRunSubmission``).
struct PoolSentTask {
    let submission: PoolSubmission
    let part: Int

    /// How long the task may run once started; nil: no limit.
    var timeout: Duration? { submission.timeout }

    /// "task #12 (Square)", for error messages.
    var label: String { submission.label(part: part) }

    /// The worker's reply: the encoded output.
    func succeed(_ output: UnsafeRawBufferPointer) { submission.succeed(part: part, output) }

    /// The task failed.
    func fail(_ error: PoolError) { submission.fail(part: part, error) }
}
