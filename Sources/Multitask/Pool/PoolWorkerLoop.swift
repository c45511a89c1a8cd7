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
        // The parent is trusted to send large tasks again: their buffer is kept.
        let input = FrameBuffer(framing: .pool, keepsLargeBuffer: true)
        let output = FrameBuffer(framing: .pool)
        var runners: [PoolTaskRunner?] = []
        var typeNames: [String] = []
        var reply: [UInt8] = []
        var failure: [UInt8] = []
        var number: UInt64 = 0
        /// When the task of the oldest reply not sent yet began.
        var heldSince: Int64 = 0
        /// When the last task ended, while the worker did nothing else since (waited for no
        /// bytes, resolved no type): the next task's start, with no second clock reading.
        var lastEnd: Int64?
        var stopping = false
        func handle(_ kind: UInt8, _ body: UnsafeRawBufferPointer) {
            switch kind {
            case PoolWire.defineType:
                guard let (id, name) = PoolWire.header(of: body) else { return }
                let typeName = String(decoding: name, as: UTF8.self)
                while runners.count <= Int(id) {
                    runners.append(nil)
                    typeNames.append("")
                }
                runners[Int(id)] = PoolTaskRunner.resolve(typeName)
                typeNames[Int(id)] = typeName
                lastEnd = nil
            case PoolWire.task:
                guard let (id, task) = PoolWire.header(of: body) else { return }
                number += 1
                let started = lastEnd ?? Deadline.now.nanoseconds
                status.begin(number, at: started)
                let hadReplies = !output.isEmpty
                reply.removeAll(keepingCapacity: true)
                do {
                    if let initializerFailure { throw initializerFailure }
                    guard Int(id) < runners.count, let runner = runners[Int(id)] else {
                        throw PoolUnresolvableTask(typeName: Int(id) < typeNames.count ? typeNames[Int(id)] : "#\(id)")
                    }
                    try runner.run(task, &reply)
                    output.appendFrame(kind: PoolWire.success, bytes: reply)
                } catch {
                    failure.removeAll(keepingCapacity: true)
                    failure.append(contentsOf: String(reflecting: type(of: error)).utf8)
                    failure.append(0)
                    failure.append(contentsOf: String(describing: error).utf8)
                    output.appendFrame(kind: PoolWire.failure, bytes: failure)
                }
                status.end(number)
                if !hadReplies { heldSince = started }
                let ended = Deadline.now.nanoseconds
                lastEnd = ended
                if output.count >= replyBatchBytes || ended - heldSince >= replyDelayNanoseconds {
                    _ = output.send(to: socket)
                    lastEnd = nil
                }
            case PoolWire.stop:
                stopping = true
            default:
                break
            }
        }
        do throws(FrameStreamError) {
            while !stopping {
                // The frames already here first; the replies go out before the worker waits.
                if try input.nextFrame(from: nil, handle) == nil {
                    guard output.send(to: socket) else { return }
                    lastEnd = nil
                    _ = try input.nextFrame(from: socket, handle)
                }
            }
        } catch {
            // The parent closed its end.
            return
        }
        _ = output.send(to: socket)
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
