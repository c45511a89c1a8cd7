import DequeModule
import SystemPackage

/// The engine of a process ``Pool``: one thread that starts the workers, hands tasks out,
/// reads replies, and notices every worker's end.
///
/// The thread waits in one epoll set on a doorbell (new tasks, close, terminate), each
/// worker's socket (replies; writability while unsent bytes wait) and each worker's pidfd
/// (its end). Tasks are sent a few ahead per worker, in batches, so that a worker rarely waits
/// for the parent; since a worker runs its tasks in order and records their numbers in shared
/// memory (``PoolWorkerStatus``), the parent always knows which one is running.
///
/// When a worker ends unexpectedly, the task it was running fails with
/// ``PoolError/workerCrashed(signal:exitCode:task:report:)`` (or ``PoolError/taskTimedOut(timeout:task:)``
/// when the dispatcher killed it for its timeout), the tasks it had not started go back to the
/// front of the queue, and a new worker takes its place.
final class PoolDispatcher: @unchecked Sendable {
    enum Phase { case running, closing, terminating }

    private enum Tag {
        static let doorbell: UInt64 = 1 << 40
        static func socket(_ slot: PoolWorkerSlot) -> UInt64 { UInt64(slot.generation) << 16 | UInt64(slot.index) << 1 }
        static func sentinel(_ slot: PoolWorkerSlot) -> UInt64 { socket(slot) | 1 }
    }

    /// Tasks sent ahead to one worker, at most.
    static let prefetchLimit = 64
    /// A worker that is not running a task yet has work waiting, and makes no progress for
    /// this long, is presumed stuck on a lock that fork copied while another parent thread held
    /// it (see ``PoolWarmUp``): it is killed and replaced, and its tasks, none of which had
    /// started, go to other workers.
    static let stuckLimitNanoseconds: Int64 = 10_000_000_000

    let size: Int
    let maxTasksPerChild: Int?
    let configuration: PoolWorkerConfiguration
    let startMethod: StartMethod

    // Shared with submitting threads, under `lock`.
    private let lock = InternalLock()
    private var incoming: [PoolSubmission] = []
    private var phase = Phase.running
    private var sleeping = false
    private var typeNames: [String] = []
    private var displayNames: [String] = []
    private var typeIDs: [ObjectIdentifier: UInt32] = [:]
    private var nextNumber: UInt64 = 1
    private var livePIDs: [Int32?]
    private var finishWaiters: [@Sendable () -> Void] = []
    private var isFinished = false

    // The dispatcher thread's own.
    private let epoll: Epoll
    private let doorbell: EventCounter
    /// Every worker's ``PoolWorkerStatus``, one stride each (a memfd, so that spawned and
    /// fork-server workers can map it too).
    private let statusPage: SharedMemory
    private var slots: [PoolWorkerSlot?]
    private var ready = Deque<PoolSubmission>()
    private var generations: UInt32 = 0
    private var localTypeNames: [String] = []
    private var startFailure: ProcessError?
    /// Workers in a row that ended before their first task could start (an initializer that
    /// crashes, a failure at start-up); from ``earlyDeathLimit`` on, tasks fail instead of
    /// waiting for a worker that never comes, and replacements slow down.
    private var earlyDeaths = 0
    /// No worker is started before this time (`CLOCK_MONOTONIC` nanoseconds).
    private var replaceNotBefore: Int64 = 0
    static let earlyDeathLimit = 3
    private var thread: Thread?
    /// Set once every worker has ended and the thread is done.
    let finished = Event()

    init(size: Int, maxTasksPerChild: Int?, configuration: PoolWorkerConfiguration, startMethod: StartMethod) {
        self.size = size
        self.maxTasksPerChild = maxTasksPerChild
        self.configuration = configuration
        self.startMethod = startMethod
        livePIDs = Array(repeating: nil, count: size)
        slots = Array(repeating: nil, count: size)
        do {
            epoll = try Epoll()
            doorbell = try EventCounter()
            let bytes = size * PoolWorkerStatus.stride
            statusPage = try SharedMemory(anonymousSize: bytes, mappedLength: bytes, label: "multitask-pool")
            try epoll.add(doorbell.fd, tag: Tag.doorbell)
        } catch {
            fatalError("Pool: cannot create the dispatcher's descriptors (\(error))")
        }
    }

    /// Starts the workers, then the dispatcher thread; throws if the first workers cannot start.
    func start() throws(ProcessError) {
        // Only a forked worker runs code whose metadata a parent thread may be instantiating.
        if startMethod == .fork { PoolWarmUp.rehearseWorkerLoop() }
        for index in 0..<size {
            do throws(ProcessError) {
                try startWorker(index)
            } catch {
                for slot in slots.compactMap({ $0 }) { slot.process.kill(); slot.process.join() }
                releaseDescriptors()
                throw error
            }
        }
        let thread = Thread(name: "Pool-dispatcher", daemon: true) { [self] in run() }
        self.thread = thread
        thread.start()
    }

    // MARK: Submitting (any thread)

    /// The pool's number for `type`, its display name, and whether this is its first use;
    /// numbers are assigned on first use.
    func typeID<Task: PoolTask>(for type: Task.Type) -> (UInt32, String, isNew: Bool) {
        let key = ObjectIdentifier(type)
        return lock.withLock {
            if let id = typeIDs[key] { return (id, displayNames[Int(id)], false) }
            let name: String
            switch EntryType.name(of: type) {
            case .success(let mangled): name = mangled
            case .failure(let problem): usageFailure("Pool: \(problem)")
            }
            let id = UInt32(typeNames.count)
            typeNames.append(name)
            displayNames.append(String(describing: type))
            typeIDs[key] = id
            return (id, displayNames[Int(id)], true)
        }
    }

    /// Submission numbers, for task labels; `count` consecutive ones.
    func reserveNumbers(_ count: Int) -> UInt64 {
        lock.withLock {
            defer { nextNumber += UInt64(count) }
            return nextNumber
        }
    }

    /// Queues `submissions`; fails them with ``PoolError/closed`` once the pool was closed.
    func submit(_ submissions: some Collection<PoolSubmission>) {
        let (open, ring) = lock.withLock { () -> (Bool, Bool) in
            guard phase == .running else { return (false, false) }
            incoming.append(contentsOf: submissions)
            defer { sleeping = false }
            return (true, sleeping)
        }
        if !open { for submission in submissions { submission.cancel(.closed) } }
        if ring { doorbell.ring() }
    }

    /// Stops accepting tasks; the queued ones still run, then the workers exit.
    func close() {
        let ring = lock.withLock { () -> Bool in
            if phase == .running { phase = .closing }
            return true
        }
        if ring { doorbell.ring() }
    }

    /// Stops accepting tasks, fails the queued ones with ``PoolError/terminated``, kills the
    /// workers (failing their running tasks the same way).
    func terminate() {
        let queued = lock.withLock { () -> [PoolSubmission] in
            phase = .terminating
            defer { incoming = [] }
            return incoming
        }
        for submission in queued { submission.cancel(.terminated) }
        doorbell.ring()
    }

    /// Whether `close()` or `terminate()` was called.
    var isAccepting: Bool { lock.withLock { phase == .running } }

    /// The pids of the live workers.
    var workerPIDs: [Int32] { lock.withLock { livePIDs.compactMap { $0 } } }

    // MARK: The thread

    private func run() {
        ProcessControl.blockAllSignals()
        ForkGate.joinCurrentThread()
        while true {
            let (arrived, phase) = lock.withLock { () -> ([PoolSubmission], Phase) in
                sleeping = false
                defer { incoming.removeAll(keepingCapacity: true) }
                return (incoming, self.phase)
            }
            ready.append(contentsOf: arrived)
            if phase == .terminating {
                shutDown()
                break
            }
            let idle = ready.isEmpty && slots.allSatisfy { $0?.inFlight.isEmpty ?? true }
            if phase == .closing && idle {
                if slots.allSatisfy({ $0 == nil }) { break }
                for case let slot? in slots where !slot.stopSent {
                    slot.output.appendFrame(kind: PoolWire.stop, body: UnsafeRawBufferPointer(start: nil, count: 0))
                    slot.stopSent = true
                    flush(slot)
                }
            } else {
                replaceEndedWorkers()
                assign()
            }
            let wakeIn = checkTimeouts()
            let sleep = lock.withLock { () -> Bool in
                guard incoming.isEmpty && self.phase == phase else { return false }
                sleeping = true
                return true
            }
            for tag in epoll.wait(timeoutMilliseconds: sleep ? wakeIn : 0) { handle(tag) }
        }
        ForkGate.leaveCurrentThread()
        releaseDescriptors()
        let waiters = lock.withLock { () -> [@Sendable () -> Void] in
            isFinished = true
            defer { finishWaiters = [] }
            return finishWaiters
        }
        finished.set()
        for waiter in waiters { waiter() }
    }

    /// Calls `callback` once the dispatcher is done (right away if it is).
    func whenFinished(_ callback: @escaping @Sendable () -> Void) {
        let now = lock.withLock { () -> Bool in
            if !isFinished { finishWaiters.append(callback) }
            return isFinished
        }
        if now { callback() }
    }

    private func handle(_ tag: UInt64) {
        if tag == Tag.doorbell {
            doorbell.drain()
            return
        }
        let index = Int(tag >> 1 & 0x7fff)
        guard index < slots.count, let slot = slots[index], Tag.socket(slot) == tag & ~1 else { return }
        if tag & 1 == 1 {
            workerEnded(slot)
        } else {
            receive(from: slot)
            flush(slot)
        }
    }

    // MARK: Workers

    private func startWorker(_ index: Int) throws(ProcessError) {
        let sockets: (parent: StreamSocket, child: StreamSocket)
        do throws(Errno) {
            sockets = try StreamSocket.pair()
            try sockets.parent.setNonBlocking()
        } catch {
            throw .startFailed(error)
        }
        let offset = index * PoolWorkerStatus.stride
        let status = PoolWorkerStatus(at: statusPage.bytes.baseAddress! + offset, initialize: true)
        let process = makeWorker(index, socket: sockets.child, status: status, statusOffset: offset,
                                 parentDescriptors: [epoll.fd, doorbell.fd, sockets.parent.fd] + slots.compactMap { $0?.socket.fd })
        do throws(ProcessError) {
            try ForkWarning.forking(for: .pool) { () throws(ProcessError) in try process.start() }
        } catch {
            sockets.parent.close()
            sockets.child.close()
            throw error
        }
        sockets.child.close()
        generations &+= 1
        let slot = PoolWorkerSlot(
            index: index, generation: generations & 0xffffff, process: process, pid: process.pid ?? -1,
            socket: sockets.parent, sentinel: process.sentinel!.rawValue, status: status
        )
        do {
            try epoll.add(slot.socket.fd, tag: Tag.socket(slot))
            try epoll.add(slot.sentinel, tag: Tag.sentinel(slot))
        } catch {
            fatalError("Pool: cannot watch a worker (\(error))")
        }
        slot.progressSince = Deadline.now.nanoseconds
        slots[index] = slot
        lock.withLock { livePIDs[index] = slot.pid }
    }

    /// The process of worker `index`, not started. A forked worker runs the loop in a closure
    /// (closing `parentDescriptors`, the pool's descriptors it inherited); any other runs a
    /// ``PoolWorkerEntry``, which carries the socket and the status page.
    private func makeWorker(_ index: Int, socket: StreamSocket, status: PoolWorkerStatus, statusOffset: Int,
                            parentDescriptors: [CInt]) -> Process {
        let name = "PoolWorker-\(index + 1)"
        let configuration = configuration
        guard startMethod == .fork else {
            let entry = PoolWorkerEntry(socket: socket.fd, statusPage: statusPage, statusOffset: statusOffset, configuration: configuration)
            return Process(name: name, daemon: true, startMethod: startMethod, entry: entry)
        }
        return Process(name: name, daemon: true) {
            for fd in parentDescriptors { StreamSocket(fd: fd).close() }
            PoolWorkerLoop.serve(socket: socket, status: status, configuration: configuration)
        }
    }

    /// Starts a worker in every empty place; a failure is retried at the next wake-up.
    private func replaceEndedWorkers() {
        guard Deadline.now.nanoseconds >= replaceNotBefore else { return }
        for index in slots.indices where slots[index] == nil {
            do throws(ProcessError) {
                try startWorker(index)
            } catch {
                startFailure = error
            }
        }
    }

    /// A worker's pidfd became readable: take its last replies, settle its unanswered tasks.
    private func workerEnded(_ slot: PoolWorkerSlot) {
        receive(from: slot)
        _ = slot.process.join(timeout: .seconds(10))
        let code = slot.process.exitCode
        epoll.remove(slot.socket.fd)
        epoll.remove(slot.sentinel)
        slot.socket.close()
        slots[slot.index] = nil
        lock.withLock { livePIDs[slot.index] = nil }
        let started = slot.status.started, finished = slot.status.finished
        earlyDeaths = slot.status.isReady ? 0 : earlyDeaths + 1
        if earlyDeaths >= Self.earlyDeathLimit {
            failEverythingWaiting(because: slot, exitCode: code)
            return
        }
        var requeue: [PoolSubmission] = []
        for (offset, submission) in slot.inFlight.enumerated() {
            let number = slot.firstNumber + UInt64(offset)
            guard number == started && started > finished else {
                // Never started, or finished with its reply lost with the worker: run it again.
                requeue.append(submission)
                continue
            }
            if number == slot.killedForTimeout, let timeout = submission.timeout {
                submission.fail(.taskTimedOut(timeout: timeout, task: submission.label))
            } else {
                let signal = code.flatMap { $0 < 0 ? -$0 : nil }
                submission.fail(.workerCrashed(signal: signal, exitCode: signal == nil ? code : nil, task: submission.label,
                                               report: slot.process.crashReport))
            }
        }
        ready.insert(contentsOf: requeue, at: ready.startIndex)
    }

    /// Workers keep dying before they serve: fail the tasks of `slot` and every queued task
    /// (tasks sent to live workers stay theirs), and wait longer before the next start.
    private func failEverythingWaiting(because slot: PoolWorkerSlot, exitCode code: Int32?) {
        let error = PoolError.workersCannotStart(count: earlyDeaths, signal: code.flatMap { $0 < 0 ? -$0 : nil },
                                                  exitCode: code.flatMap { $0 >= 0 ? $0 : nil })
        for submission in slot.inFlight { submission.fail(error) }
        failReady(error)
        let backoff = min(Int64(10_000_000_000), Int64(100_000_000) << min(earlyDeaths - Self.earlyDeathLimit, 7))
        replaceNotBefore = Deadline.now.nanoseconds + backoff
    }

    /// Kills every worker, fails every task, waits for the workers' ends.
    private func shutDown() {
        for case let slot? in slots { slot.process.kill() }
        for case let slot? in slots {
            slot.process.join()
            epoll.remove(slot.socket.fd)
            epoll.remove(slot.sentinel)
            slot.socket.close()
            for submission in slot.inFlight { submission.fail(.terminated) }
            slot.inFlight.removeAll()
            lock.withLock { livePIDs[slot.index] = nil }
        }
        slots = slots.map { _ in nil }
        failReady(.terminated)
    }

    /// Ends every queued task with `error`: a failure for one already sent to a worker once
    /// (it was requeued), a cancellation for one never sent.
    private func failReady(_ error: PoolError) {
        for submission in ready {
            if submission.isDispatched { submission.fail(error) } else { _ = submission.cancel(error) }
        }
        ready.removeAll()
    }

    private func releaseDescriptors() {
        epoll.close()
        doorbell.close()
        statusPage.close()
    }

    // MARK: Tasks

    /// Hands queued tasks to the workers with the fewest in flight, a fair share each.
    private func assign() {
        var open = slots.compactMap { $0 }.filter(\.acceptsTasks)
        guard !open.isEmpty, !ready.isEmpty else { return }
        let inFlight = open.reduce(0) { $0 + $1.inFlight.count }
        let share = min(Self.prefetchLimit, (ready.count + inFlight) / open.count + 1)
        while !open.isEmpty, let submission = ready.first {
            var best = 0
            for i in open.indices where open[i].inFlight.count < open[best].inFlight.count { best = i }
            let slot = open[best]
            if slot.inFlight.count >= share { break }
            ready.removeFirst()
            if !submission.isDispatched {
                guard submission.take() else { continue }
                submission.isDispatched = true
            }
            send(submission, to: slot)
            if !slot.acceptsTasks { open.remove(at: best) }
        }
        for case let slot? in slots { flush(slot) }
    }

    private func send(_ submission: PoolSubmission, to slot: PoolWorkerSlot) {
        let id = Int(submission.typeID)
        if id >= slot.knownTypes.count { slot.knownTypes += Array(repeating: false, count: id + 1 - slot.knownTypes.count) }
        if !slot.knownTypes[id] {
            slot.output.appendFrame(kind: PoolWire.defineType, header: submission.typeID, bytes: Array(typeName(id).utf8))
            slot.knownTypes[id] = true
        }
        slot.output.appendFrame(kind: PoolWire.task, header: submission.typeID, bytes: submission.payload)
        slot.inFlight.append(submission)
        slot.sentCount += 1
        if submission.timeout != nil { slot.timedInFlight += 1 }
        if let limit = maxTasksPerChild, slot.sentCount >= limit {
            slot.output.appendFrame(kind: PoolWire.stop, body: UnsafeRawBufferPointer(start: nil, count: 0))
            slot.stopSent = true
        }
    }

    private func typeName(_ id: Int) -> String {
        if id >= localTypeNames.count { localTypeNames = lock.withLock { typeNames } }
        return localTypeNames[id]
    }

    /// Sends buffered frames; watches for writability while some are left.
    private func flush(_ slot: PoolWorkerSlot) {
        _ = slot.output.send(to: slot.socket)
        let waiting = !slot.output.isEmpty
        if waiting != slot.watchingWrites {
            try? epoll.modify(slot.socket.fd, tag: Tag.socket(slot), writable: waiting)
            slot.watchingWrites = waiting
        }
    }

    /// Reads and delivers every reply available from `slot`.
    private func receive(from slot: PoolWorkerSlot) {
        while true {
            let outcome = slot.input.receive(from: slot.socket)
            while let _ = slot.input.nextFrame({ kind, body in deliver(kind, body, from: slot) }) {}
            guard case .bytes = outcome else { return }
        }
    }

    private func deliver(_ kind: UInt8, _ body: UnsafeRawBufferPointer, from slot: PoolWorkerSlot) {
        guard let submission = slot.inFlight.popFirst() else { return }
        slot.firstNumber += 1
        if submission.timeout != nil { slot.timedInFlight -= 1 }
        if kind == PoolWire.success {
            submission.succeed(body)
        } else {
            let split = body.firstIndex(of: 0) ?? body.endIndex
            let errorType = String(decoding: body[..<split], as: UTF8.self)
            let description = split < body.endIndex ? String(decoding: body[(split + 1)...], as: UTF8.self) : ""
            submission.fail(.taskFailed(errorType: errorType, description: description, task: submission.label))
        }
    }

    /// Kills `slot` if it is stuck: not serving yet, or idle with tasks waiting, and no
    /// progress for ``stuckLimitNanoseconds``. Returns when to look again (nil: no need).
    private func killIfStuck(_ slot: PoolWorkerSlot, now: Int64) -> Int64? {
        let serving = slot.status.isServing
        let started = slot.status.started
        let idleWithWork = !slot.inFlight.isEmpty && started == slot.status.finished
        guard !serving || idleWithWork else { return nil }
        let progress = (started: started, replied: slot.firstNumber)
        if progress != slot.progress {
            slot.progress = progress
            slot.progressSince = now
        }
        let due = slot.progressSince + Self.stuckLimitNanoseconds
        guard now >= due else { return due }
        slot.killedAsStuck = true
        slot.process.kill()
        return nil
    }

    /// Kills stuck workers (see ``killIfStuck(_:now:)``) and workers whose running task passed its
    /// timeout; returns the milliseconds until the next check is due (-1: none, or 100 while a
    /// worker could not be started).
    private func checkTimeouts() -> CInt {
        let now = Deadline.now.nanoseconds
        var earliest = Int64.max
        for case let slot? in slots where !slot.killedAsStuck {
            if let due = killIfStuck(slot, now: now) { earliest = min(earliest, due) }
        }
        for case let slot? in slots where slot.timedInFlight > 0 && slot.killedForTimeout == nil {
            let started = slot.status.started, finished = slot.status.finished
            for (offset, submission) in slot.inFlight.enumerated() {
                guard let timeout = submission.timeout else { continue }
                let number = slot.firstNumber + UInt64(offset)
                let limit = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
                if number == started && started > finished {
                    let deadline = slot.status.startNanoseconds + limit
                    if now >= deadline {
                        slot.killedForTimeout = number
                        slot.process.kill()
                        break
                    }
                    earliest = min(earliest, deadline)
                } else if number > started {
                    earliest = min(earliest, now + limit)
                }
            }
        }
        if startFailure != nil {
            startFailure = nil
            earliest = min(earliest, now + 100_000_000)
        }
        if replaceNotBefore > now && slots.contains(where: { $0 == nil }) {
            earliest = min(earliest, replaceNotBefore)
        }
        guard earliest != .max else { return -1 }
        return CInt(clamping: max(1, (earliest - now + 999_999) / 1_000_000))
    }
}
