import SystemPackage

/// The process pool's workers, on the dispatcher thread: starting them, watching their sockets
/// and ends in the dispatcher's event loop, replacing the ones that ended (slower and slower
/// while they keep dying before serving), and killing the ones the ``PoolWatchdog`` condemns.
final class PoolWorkers {
    let configuration: PoolWorkerConfiguration
    let startMethod: StartMethod
    private let loop: EventLoop
    private let inbox: PoolInbox
    /// Every worker's ``PoolWorkerStatus``, one stride each (a memfd, so that spawned and
    /// fork-server workers can map it too).
    private let statusPage: SharedMemory
    /// The live workers by place; nil where none runs.
    private(set) var slots: [PoolWorkerSlot?]
    private var generations: UInt32 = 0
    /// A start failed since the last watchdog round: retry soon.
    private var startFailed = false
    /// Workers in a row that ended before serving (see ``PoolWatchdog/earlyDeathLimit``).
    private(set) var earlyDeaths = 0
    /// No worker is started before this time (`CLOCK_MONOTONIC` nanoseconds).
    private var replaceNotBefore: Int64 = 0

    init(size: Int, configuration: PoolWorkerConfiguration, startMethod: StartMethod, loop: EventLoop,
         inbox: PoolInbox) throws(Errno) {
        self.configuration = configuration
        self.startMethod = startMethod
        self.loop = loop
        self.inbox = inbox
        slots = Array(repeating: nil, count: size)
        let bytes = size * PoolWorkerStatus.stride
        statusPage = try SharedMemory(anonymousSize: bytes, mappedLength: bytes, label: "multitask-pool")
    }

    /// The live workers.
    var live: [PoolWorkerSlot] { slots.compactMap { $0 } }

    /// Whether every place has a worker and every worker that takes tasks has some in flight
    /// (and one does): its next reply, end or timeout wakes the dispatcher, and a task
    /// submitted meanwhile could not start sooner.
    var allBusy: Bool {
        var serving = false
        for slot in slots {
            guard let slot else { return false }
            if slot.acceptsTasks {
                if slot.inFlight.isEmpty { return false }
                serving = true
            }
        }
        return serving
    }

    /// Starts a worker in every place; on a failure, kills and reaps those started and throws.
    func startAll() throws(ProcessError) {
        for index in slots.indices {
            do throws(ProcessError) {
                try start(index)
            } catch {
                for slot in live { slot.process.kill(); slot.process.join() }
                throw error
            }
        }
    }

    private func start(_ index: Int) throws(ProcessError) {
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
                                 parentDescriptors: loop.descriptors + [sockets.parent.fd] + live.map(\.socket.fd))
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
            socket: sockets.parent, sentinel: process.sentinel!.rawValue, status: status, startedAt: Deadline.now.nanoseconds
        )
        do {
            try loop.watch(slot.socket.fd, tag: slot.socketTag)
            try loop.watch(slot.sentinel, tag: slot.sentinelTag)
        } catch {
            fatalError("Pool: cannot watch a worker (\(error))")
        }
        slots[index] = slot
        inbox.setWorkerPID(slot.pid, at: index)
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

    /// Starts a worker in every empty place, unless the back-off delay runs; a failure is
    /// retried at the next wake-up.
    func replaceEnded() {
        guard Deadline.now.nanoseconds >= replaceNotBefore else { return }
        for index in slots.indices where slots[index] == nil {
            do throws(ProcessError) {
                try start(index)
            } catch {
                startFailed = true
            }
        }
    }

    /// The live worker an event-loop tag names, and whether the tag is its sentinel's.
    func slot(forTag tag: UInt64) -> (slot: PoolWorkerSlot, isSentinel: Bool)? {
        let index = PoolWorkerSlot.index(ofTag: tag)
        guard index < slots.count, let slot = slots[index], slot.socketTag == tag & ~1 else { return nil }
        return (slot, tag & 1 == 1)
    }

    /// Forgets `slot`, whose process has ended: stops watching it, closes its socket. Returns
    /// whether workers now ended before serving ``PoolWatchdog/earlyDeathLimit`` times in a
    /// row (the replacement is then delayed).
    func remove(_ slot: PoolWorkerSlot) -> Bool {
        loop.unwatch(slot.socket.fd)
        loop.unwatch(slot.sentinel)
        slot.socket.close()
        slots[slot.index] = nil
        inbox.setWorkerPID(nil, at: slot.index)
        earlyDeaths = slot.status.isReady ? 0 : earlyDeaths + 1
        let delay = PoolWatchdog.replacementDelayNanoseconds(earlyDeaths: earlyDeaths)
        guard delay > 0 else { return false }
        replaceNotBefore = Deadline.now.nanoseconds + delay
        return true
    }

    /// Kills every worker and waits for their ends; returns them (already forgotten).
    func killAll() -> [PoolWorkerSlot] {
        let ended = live
        for slot in ended { slot.process.kill() }
        for slot in ended {
            slot.process.join()
            loop.unwatch(slot.socket.fd)
            loop.unwatch(slot.sentinel)
            slot.socket.close()
            inbox.setWorkerPID(nil, at: slot.index)
        }
        slots = slots.map { _ in nil }
        return ended
    }

    /// Sends buffered frames; watches for writability while some are left.
    func flush(_ slot: PoolWorkerSlot) {
        _ = slot.output.send(to: slot.socket)
        let waiting = !slot.output.isEmpty
        if waiting != slot.watchingWrites {
            try? loop.modify(slot.socket.fd, tag: slot.socketTag, writable: waiting)
            slot.watchingWrites = waiting
        }
    }

    /// Kills the workers the watchdog finds stuck or running a task past its timeout; returns
    /// when to look again (nil: no need), soon after a failed start, at the end of a back-off.
    func enforceLimits(now: Int64) -> Int64? {
        var earliest: Int64?
        func recheck(_ time: Int64) { earliest = min(earliest ?? .max, time) }
        for slot in live where !slot.wasKilled {
            act(on: PoolWatchdog.stuckVerdict(slot.observation, progress: &slot.progress, now: now), slot, recheck)
        }
        for slot in live where slot.timedInFlight > 0 && !slot.wasKilled {
            act(on: PoolWatchdog.timeoutVerdict(slot.observation, timeouts: slot.inFlight.lazy.map(\.timeout), now: now),
                slot, recheck)
        }
        if startFailed {
            startFailed = false
            recheck(now + 100_000_000)
        }
        if replaceNotBefore > now && slots.contains(where: { $0 == nil }) { recheck(replaceNotBefore) }
        return earliest
    }

    private func act(on verdict: PoolWatchdog.Verdict, _ slot: PoolWorkerSlot, _ recheck: (Int64) -> Void) {
        switch verdict {
        case .fine: break
        case .recheck(let time): recheck(time)
        case .killAsStuck:
            slot.state = .killedAsStuck
            slot.process.kill()
        case .killForTimeout(let task):
            // A worker already crashing is left to finish its crash report (its handler ends
            // the process within 2 s), so that the task fails as the crash it is; bounded, since
            // the flag lives in memory the worker could write.
            if slot.process.isCrashing {
                let now = Deadline.now.nanoseconds
                let since = slot.crashingSince ?? now
                slot.crashingSince = since
                if now - since < Self.crashReportGrace {
                    recheck(now + 20_000_000)
                    return
                }
            }
            slot.state = .killedForTimeout(task: task)
            slot.process.kill()
        }
    }

    /// How long a worker that is recording a crash may take before its task's timeout kills
    /// it anyway: its handler's own alarm ends it after 2 s.
    static var crashReportGrace: Int64 { 3_000_000_000 }

    /// Unmaps the status page (the workers have ended).
    func close() { statusPage.close() }
}
