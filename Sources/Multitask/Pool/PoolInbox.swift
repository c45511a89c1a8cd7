/// What a process pool's submitting threads share with its dispatcher thread: submissions not
/// yet taken, the pool's phase, the task-type table (with each type's codecs), task numbers, worker pids, and who waits
/// for the end. Everything is under one lock.
///
/// A submitter rings the dispatcher's doorbell only when ``submit(_:)`` says the dispatcher
/// is asleep (or about to be) and a worker could start the task now: the dispatcher announces
/// its sleep with ``prepareToSleep(in:workersBusy:)``, which fails when something arrived
/// meanwhile. While every worker has tasks in flight, a reply wakes the dispatcher before any
/// new task could start, so submissions are taken then, in a batch, with no doorbell.
// @unchecked: every stored property is read and written under `lock` only.
final class PoolInbox: @unchecked Sendable {
    enum Phase { case running, closing, terminating }

    private let lock = InternalLock()
    // Every variable is touched under `lock` only, so no two accesses overlap: no runtime
    // exclusivity checks (each cost a thread-local lookup on every submission).
    @exclusivity(unchecked) private var incoming: [PoolSubmission] = []
    @exclusivity(unchecked) private var phase = Phase.running
    @exclusivity(unchecked) private var sleeping = false
    /// Whether the sleeping dispatcher said every worker has tasks in flight.
    @exclusivity(unchecked) private var workersBusy = false
    @exclusivity(unchecked) private var typeNames: [String] = []
    @exclusivity(unchecked) private var displayNames: [String] = []
    @exclusivity(unchecked) private var typeIDs: [ObjectIdentifier: UInt32] = [:]
    /// Each type's ``PoolTaskCodecs``, by number.
    @exclusivity(unchecked) private var codecs: [PoolTaskCodecs?] = []
    /// Each type's entry for ``recentType``, once its codecs are made (with them unretained:
    /// see ``PoolCodecsReference``); kept for the inbox's life.
    @exclusivity(unchecked) private var entries: [PoolRecentType.Entry?] = []
    @exclusivity(unchecked) private var nextNumber: UInt64 = 1
    @exclusivity(unchecked) private var livePIDs: [Int32?]
    @exclusivity(unchecked) private var finishWaiters: [@Sendable () -> Void] = []
    @exclusivity(unchecked) private var isFinished = false

    /// The type submitted last, for submitters that skip ``ticket(for:numbers:codecs:)``.
    let recentType = PoolRecentType()

    init(size: Int) {
        livePIDs = Array(repeating: nil, count: size)
    }

    // MARK: Submitters

    /// What a submitter needs to know of a task type, with the numbers of its next tasks: one
    /// trip through the lock per submission.
    struct Ticket {
        /// The pool's number for the type.
        let typeID: UInt32
        /// The type's display name, for error messages.
        let typeName: String
        /// Whether this is the type's first use in this pool.
        let isNew: Bool
        /// The type's ``PoolTaskCodecs``, made once per pool and type (nil until a submitter
        /// that needs them asked), unretained: the inbox keeps them.
        let codecs: PoolCodecsReference?
        /// The first of the submission numbers reserved.
        let firstNumber: UInt64
    }

    /// The pool's number for `type` (assigned on first use) and its codecs (made by
    /// `makeCodecs`, outside the lock: it may run the task's `encode(to:)`, the first time it
    /// makes some), with `count` consecutive submission numbers reserved for its tasks.
    func ticket(for type: any PoolTask.Type, numbers count: Int, codecs makeCodecs: () -> PoolTaskCodecs? = { nil }) -> Ticket {
        let ticket = reserve(type, numbers: count)
        guard ticket.codecs == nil, let made = makeCodecs() else { return ticket }
        let codecs = lock.withLock { () -> PoolCodecsReference in
            // Another submitter of the type may have installed its own meanwhile: one wins.
            if let installed = entries[Int(ticket.typeID)] { return installed.codecs }
            self.codecs[Int(ticket.typeID)] = made
            let entry = PoolRecentType.Entry(key: ObjectIdentifier(type), ticket: ticket, codecs: PoolCodecsReference(made))
            entries[Int(ticket.typeID)] = entry
            recentType.publish(entry)
            return entry.codecs
        }
        return Ticket(typeID: ticket.typeID, typeName: ticket.typeName, isNew: ticket.isNew, codecs: codecs,
                      firstNumber: ticket.firstNumber)
    }

    /// The ticket of `type` with the codecs it has so far (numbering the type on first use).
    private func reserve(_ type: any PoolTask.Type, numbers count: Int) -> Ticket {
        let key = ObjectIdentifier(type)
        return lock.withLock {
            let first = nextNumber
            nextNumber += UInt64(count)
            if let id = typeIDs[key] {
                let entry = entries[Int(id)]
                if let entry { recentType.publish(entry) }
                return Ticket(typeID: id, typeName: displayNames[Int(id)], isNew: false, codecs: entry?.codecs, firstNumber: first)
            }
            let name: String
            switch EntryType.name(of: type) {
            case .success(let mangled): name = mangled
            case .failure(let problem): usageFailure("Pool: \(problem)")
            }
            let id = UInt32(typeNames.count)
            typeNames.append(name)
            displayNames.append(String(describing: type))
            codecs.append(nil)
            entries.append(nil)
            typeIDs[key] = id
            return Ticket(typeID: id, typeName: displayNames[Int(id)], isNew: true, codecs: nil, firstNumber: first)
        }
    }

    /// Queues `submissions` unless the pool was closed, numbering those not numbered yet
    /// (number 0: see ``PoolRecentType``). Returns whether they were queued and whether the
    /// dispatcher must be woken.
    func submit(_ submissions: some Collection<PoolSubmission>) -> (accepted: Bool, wake: Bool) {
        lock.withLock {
            guard phase == .running else { return (false, false) }
            for submission in submissions where submission.number == 0 {
                submission.number = nextNumber
                nextNumber += 1
            }
            incoming.append(contentsOf: submissions)
            guard sleeping && !workersBusy else { return (true, false) }
            sleeping = false
            return (true, true)
        }
    }

    /// ``submit(_:)`` for a batch the caller hands over: when no submission waits, the array
    /// itself becomes the queue, so that no submission's reference count is touched on the way
    /// (each would move a cache line to this CPU and back). Accepted, `batch` is left empty
    /// (with a buffer to reuse); refused, it is left as it was, for the caller to cancel.
    func submit(handingOver batch: inout [PoolSubmission]) -> (accepted: Bool, wake: Bool) {
        lock.withLock {
            guard phase == .running else { return (false, false) }
            for submission in batch where submission.number == 0 {
                submission.number = nextNumber
                nextNumber += 1
            }
            if incoming.isEmpty {
                swap(&incoming, &batch)
            } else {
                incoming.append(contentsOf: batch)
                batch.removeAll(keepingCapacity: true)
            }
            guard sleeping && !workersBusy else { return (true, false) }
            sleeping = false
            return (true, true)
        }
    }

    /// Moves to closing (from running only).
    func close() {
        lock.withLock { if phase == .running { phase = .closing } }
    }

    /// Moves to terminating; returns the submissions the dispatcher had not taken.
    func terminate() -> [PoolSubmission] {
        lock.withLock {
            phase = .terminating
            defer { incoming = [] }
            return incoming
        }
    }

    /// Whether the pool still accepts tasks.
    var isAccepting: Bool { lock.withLock { phase == .running } }

    /// The pids of the live workers.
    var workerPIDs: [Int32] { lock.withLock { livePIDs.compactMap { $0 } } }

    // MARK: The dispatcher

    /// Moves the submissions that arrived into `arrivals` (which must be empty; its buffer
    /// becomes the next arrivals' buffer, so that taking allocates nothing); returns the
    /// current phase.
    func takeArrivals(into arrivals: inout [PoolSubmission]) -> Phase {
        lock.withLock {
            sleeping = false
            swap(&arrivals, &incoming)
            return phase
        }
    }

    /// Announces that the dispatcher will sleep; false (stay awake) when submissions arrived
    /// or the phase changed since `phase` was taken. `workersBusy`: every worker has tasks in
    /// flight (a reply will wake the dispatcher), so submitters need not ring.
    func prepareToSleep(in phase: Phase, workersBusy: Bool) -> Bool {
        lock.withLock {
            guard incoming.isEmpty && self.phase == phase else { return false }
            sleeping = true
            self.workersBusy = workersBusy
            return true
        }
    }

    /// Records the pid of worker `index` (nil: none is alive there).
    func setWorkerPID(_ pid: Int32?, at index: Int) {
        lock.withLock { livePIDs[index] = pid }
    }

    /// The mangled name of every task type numbered so far, by number.
    var allTypeNames: [String] { lock.withLock { typeNames } }

    /// Marks the dispatcher finished; returns the callbacks to call.
    func finish() -> [@Sendable () -> Void] {
        lock.withLock {
            isFinished = true
            defer { finishWaiters = [] }
            return finishWaiters
        }
    }

    /// Keeps `callback` for ``finish()``; false when the dispatcher is finished already.
    func addFinishWaiter(_ callback: @escaping @Sendable () -> Void) -> Bool {
        lock.withLock {
            if !isFinished { finishWaiters.append(callback) }
            return !isFinished
        }
    }
}
