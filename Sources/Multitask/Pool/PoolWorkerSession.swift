/// One worker's serving state, for ``PoolWorkerLoop``: its buffers, its task runners by type
/// number, and the reply hold-back clock. Read frames, run each task in order, reply in order,
/// until told to stop or the parent goes away.
///
/// Only the worker's one thread touches it, one frame at a time: its variables skip the
/// runtime exclusivity checks (each cost a thread-local lookup per task, as locals captured by
/// the frame handler did).
final class PoolWorkerSession {
    private let socket: StreamSocket
    private let status: PoolWorkerStatus
    private let initializerFailure: PoolInitializerFailed?
    // The parent is trusted to send large tasks again: their buffer is kept.
    private let input = FrameBuffer(framing: .pool, keepsLargeBuffer: true)
    private let output = FrameBuffer(framing: .pool)
    @exclusivity(unchecked) private var runners: [PoolTaskRunner?] = []
    @exclusivity(unchecked) private var typeNames: [String] = []
    @exclusivity(unchecked) private var reply: [UInt8] = []
    @exclusivity(unchecked) private var failure: [UInt8] = []
    @exclusivity(unchecked) private var number: UInt64 = 0
    /// When the task of the oldest reply not sent yet began.
    @exclusivity(unchecked) private var heldSince: Int64 = 0
    /// When the last task ended, while the worker did nothing else since (waited for no
    /// bytes, resolved no type): the next task's start, with no second clock reading.
    @exclusivity(unchecked) private var lastEnd: Int64?
    @exclusivity(unchecked) private var stopping = false

    init(socket: StreamSocket, status: PoolWorkerStatus, initializerFailure: PoolInitializerFailed?) {
        self.socket = socket
        self.status = status
        self.initializerFailure = initializerFailure
    }

    /// Serves until a stop frame or the parent's end.
    func run() {
        do throws(FrameStreamError) {
            while !stopping {
                // The frames already here first; the replies go out before the worker waits.
                if try input.nextFrame(from: nil, { kind, body in handle(kind, body) }) == nil {
                    guard output.send(to: socket) else { return }
                    lastEnd = nil
                    _ = try input.nextFrame(from: socket) { kind, body in handle(kind, body) }
                }
            }
        } catch {
            // The parent closed its end.
            return
        }
        _ = output.send(to: socket)
    }

    private func handle(_ kind: UInt8, _ body: UnsafeRawBufferPointer) {
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
            runTask(id, task)
        case PoolWire.stop:
            stopping = true
        default:
            break
        }
    }

    /// Runs one task and buffers its reply; sends the buffered replies when the oldest waited
    /// ``PoolWorkerLoop/replyDelayNanoseconds`` or they are many bytes.
    private func runTask(_ id: UInt32, _ task: UnsafeRawBufferPointer) {
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
        if output.count >= PoolWorkerLoop.replyBatchBytes || ended - heldSince >= PoolWorkerLoop.replyDelayNanoseconds {
            _ = output.send(to: socket)
            lastEnd = nil
        }
    }
}
