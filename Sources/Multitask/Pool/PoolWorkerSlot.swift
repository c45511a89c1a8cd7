import DequeModule

/// The parent's view of one worker process: its socket, its buffers, the tasks sent to it and
/// not yet answered (in order, so the first is the one it runs or will run next).
/// Touched only by the dispatcher thread, which never overlaps two accesses to one property:
/// its mutable properties skip the runtime exclusivity checks (each access of the per-task
/// path otherwise costs a check, a measurable share of the dispatcher's time for tiny tasks).
final class PoolWorkerSlot {
    /// Where a worker stands, as the dispatcher sees it.
    enum State: Equatable {
        /// It takes tasks.
        case serving
        /// It was told to stop after the tasks it has (recycling or closing).
        case stopping
        /// It was killed for running task `task` (its number) past that task's timeout.
        case killedForTimeout(task: UInt64)
        /// It was killed for making no progress while not serving or idle with work to do.
        case killedAsStuck
    }

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
    @exclusivity(unchecked) var state = State.serving
    /// When the dispatcher first saw this worker recording a crash (its kill for a timeout then
    /// waits, up to ``PoolWorkers/crashReportGrace``, for the report to be complete).
    @exclusivity(unchecked) var crashingSince: Int64?
    /// Sent and not answered, oldest first.
    @exclusivity(unchecked) var inFlight = Deque<PoolSentTask>()
    /// The worker's number for `inFlight.first` (it numbers the tasks it receives from 1).
    @exclusivity(unchecked) var firstNumber: UInt64 = 1
    /// Tasks sent to this worker, ever.
    @exclusivity(unchecked) var sentCount = 0
    /// How many of `inFlight` have a timeout.
    @exclusivity(unchecked) var timedInFlight = 0
    /// Tasks that may be in flight at once (see ``PoolScheduler``: more for tiny tasks).
    @exclusivity(unchecked) var window = PoolScheduler.prefetchLimit
    /// Type numbers whose name this worker was told.
    @exclusivity(unchecked) var knownTypes: [Bool] = []
    /// Replies from the worker (trusted, like the worker itself: large ones keep their buffer).
    let input = FrameBuffer(framing: .pool, keepsLargeBuffer: true)
    let output = FrameBuffer(framing: .pool)
    /// The last progress seen, for ``PoolWatchdog/stuckVerdict(_:progress:now:)``.
    @exclusivity(unchecked) var progress: PoolWatchdog.Progress
    /// Whether epoll also watches the socket for writability (unsent bytes are waiting).
    @exclusivity(unchecked) var watchingWrites = false

    init(index: Int, generation: UInt32, process: Process, pid: Int32, socket: StreamSocket, sentinel: CInt,
         status: PoolWorkerStatus, startedAt now: Int64) {
        self.index = index
        self.generation = generation
        self.process = process
        self.pid = pid
        self.socket = socket
        self.sentinel = sentinel
        self.status = status
        self.progress = PoolWatchdog.Progress(since: now)
    }

    /// Whether the worker may be sent another task.
    var acceptsTasks: Bool { state == .serving }

    /// Whether the dispatcher killed it (for a timeout or as stuck).
    var wasKilled: Bool {
        switch state {
        case .serving, .stopping: false
        case .killedForTimeout, .killedAsStuck: true
        }
    }

    /// The epoll tag of its socket; its sentinel's is the same with the low bit set.
    var socketTag: UInt64 { UInt64(generation) << 16 | UInt64(index) << 1 }
    var sentinelTag: UInt64 { socketTag | 1 }

    /// The slot index a tag names (of a socket or a sentinel).
    static func index(ofTag tag: UInt64) -> Int { Int(tag >> 1 & 0x7fff) }

    /// What the watchdog sees of it now.
    var observation: PoolWatchdog.Observation {
        PoolWatchdog.Observation(isServing: status.isServing, started: status.started, finished: status.finished,
                                 startNanoseconds: status.startNanoseconds, firstUnanswered: firstNumber,
                                 unanswered: inFlight.count)
    }

    /// Queues the frame that tells the worker to exit after the tasks it has.
    func queueStop() {
        output.appendFrame(kind: PoolWire.stop, body: UnsafeRawBufferPointer(start: nil, count: 0))
        if state == .serving { state = .stopping }
    }
}
