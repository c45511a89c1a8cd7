import DequeModule

/// The parent's view of one worker process: its socket, its buffers, the tasks sent to it and
/// not yet answered (in order, so the first is the one it runs or will run next).
/// Touched only by the dispatcher thread.
final class PoolWorkerSlot {
    let index: Int
    /// Distinguishes this worker's epoll events from those of the worker it replaced.
    let generation: UInt32
    let process: Process
    let pid: Int32
    /// The parent's end, non-blocking.
    let socket: StreamSocket
    /// The worker's pidfd (owned by `process`): readable once it has ended.
    let sentinel: CInt
    let status: PoolWorkerStatus
    /// Sent and not answered, oldest first.
    var inFlight = Deque<PoolSubmission>()
    /// The worker's number for `inFlight.first` (it numbers the tasks it receives from 1).
    var firstNumber: UInt64 = 1
    /// Tasks sent to this worker, ever.
    var sentCount = 0
    /// How many of `inFlight` have a timeout.
    var timedInFlight = 0
    /// Type numbers whose name this worker was told.
    var knownTypes: [Bool] = []
    let input = FrameBuffer(framing: .pool)
    let output = FrameBuffer(framing: .pool)
    /// The number of the task this worker was killed for running too long.
    var killedForTimeout: UInt64?
    /// The last progress seen (tasks started, replies received) and when it was first seen
    /// (`CLOCK_MONOTONIC` nanoseconds); see `PoolDispatcher.killStuckWorkers`.
    var progress: (started: UInt64, replied: UInt64) = (0, 0)
    var progressSince: Int64 = 0
    /// Whether it was killed for making no progress while idle with work to do.
    var killedAsStuck = false
    /// Whether it was told to stop after the tasks it has (recycling or closing).
    var stopSent = false
    /// Whether epoll also watches the socket for writability (unsent bytes are waiting).
    var watchingWrites = false

    init(index: Int, generation: UInt32, process: Process, pid: Int32, socket: StreamSocket, sentinel: CInt, status: PoolWorkerStatus) {
        self.index = index
        self.generation = generation
        self.process = process
        self.pid = pid
        self.socket = socket
        self.sentinel = sentinel
        self.status = status
    }

    /// Whether the worker may be sent another task.
    var acceptsTasks: Bool { !stopSent && killedForTimeout == nil && !killedAsStuck }
}
