import SystemPackage

/// What every worker of one pool is told when it starts.
struct PoolWorkerConfiguration: Codable, Sendable {
    /// Bytes the worker's address space may grow by, beyond its size when it starts.
    var memoryLimit: Int?
    /// The initializer task's type name and encoded value, run once before any task.
    var initializer: EncodedInitializer?

    struct EncodedInitializer: Codable, Sendable {
        var typeName: String
        /// The task, encoded with a ``PassedDescriptor/Collector``: shared objects inside it
        /// (a `Queue` for the workers to report on, Python's `initargs=(queue,)`) name slots
        /// of ``descriptors``.
        var bytes: [UInt8]
        /// The descriptors the task's handles refer to, valid in the process holding this
        /// value: the parent's in the parent and in forked workers; in a worker started from
        /// an entry, duplicates made while decoding the entry (see ``PoolWorkerEntry``).
        var descriptors: [PassedDescriptor]
        /// Whether the worker closes ``descriptors`` once the task is decoded (its own
        /// duplicates; a forked worker shares its numbers with objects it inherited).
        var ownsDescriptors = false
    }
}

/// The loop a worker process runs: read batches of task frames from its socket, run each task
/// in order, reply in order, until told to stop or the parent goes away.
///
/// Replies are buffered and written when the worker has nothing more to read, when the oldest
/// of them waited about a millisecond (so that a slow task's result is not held back by the
/// next one, and the parent sees a worker's replies at least that often), or when the buffer
/// is large. Around each task the worker updates its ``PoolWorkerStatus`` in shared memory, which
/// is how the parent knows exactly which task a dead worker was running.
enum PoolWorkerLoop {
    /// Replies are sent once the task of the oldest buffered one began this long ago (a task
    /// that ran this long has its reply sent at once).
    static let replyDelayNanoseconds: Int64 = 1_000_000
    /// Replies are sent once this many bytes are buffered.
    static let replyBatchBytes = 256 * 1024

    static func serve(socket: StreamSocket, status: PoolWorkerStatus, configuration: PoolWorkerConfiguration) {
        // From here on the worker runs pool code the parent rehearsed; a slow initializer is
        // not a stuck worker.
        status.markServing()
        if let limit = configuration.memoryLimit {
            try? ResourceLimit.limitAddressSpace(to: (ResourceLimit.currentAddressSpace ?? 0) + limit)
        }
        let initializerFailure = runInitializer(configuration.initializer)
        status.markReady()
        PoolWorkerSession(socket: socket, status: status, initializerFailure: initializerFailure).run()
    }

    /// Runs the initializer; returns the error every task then fails with if it threw.
    private static func runInitializer(_ initializer: PoolWorkerConfiguration.EncodedInitializer?) -> PoolInitializerFailed? {
        guard let initializer else { return nil }
        let descriptors = initializer.descriptors.map(\.rawValue)
        defer { if initializer.ownsDescriptors { FileDescriptor.closeAll(descriptors) } }
        guard let taskType = _typeByName(initializer.typeName) as? any PoolTask.Type else {
            return PoolInitializerFailed(reason: PoolUnresolvableTask(typeName: initializer.typeName).description)
        }
        do {
            let decoder = BinaryDecoder(userInfo: [PassedDescriptor.tableKey: PassedDescriptor.Table(descriptors: descriptors)])
            _ = try decoder.decode(taskType, from: initializer.bytes).run()
            return nil
        } catch {
            return PoolInitializerFailed(reason: "\(String(reflecting: type(of: error))): \(error)")
        }
    }
}

/// The pool's initializer threw in a worker: that worker fails every task with this error,
/// instead of dying and being replaced forever (CPython's behavior).
struct PoolInitializerFailed: Error, CustomStringConvertible {
    var reason: String
    var description: String { "the pool initializer failed in this worker: \(reason)" }
}
