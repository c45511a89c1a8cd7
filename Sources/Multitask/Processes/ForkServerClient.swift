import SystemPackage

/// The program's side of the fork server: starts it, sends start requests, and turns its
/// reports into `Process` state.
///
/// The server's children are the server's, not ours, so their exit status comes from the
/// server (it reaps them and reports, as CPython's forkserver does). Each child's pidfd is
/// opened by the server right after `fork` — before it could be reaped and its pid reused —
/// and passed here, so signals and ``Process/sentinel`` are as safe as for direct children.
/// Replies are read on the supervisor thread; requests are sent from the caller's thread.
// @unchecked: `nextRequest`, `pending`, `usable` and `children` are guarded by `lock`; the rest is immutable.
final class ForkServerClient: @unchecked Sendable {
    private final class PendingStart {
        let process: Process
        let done = Event()
        var failure: ProcessError?
        init(_ process: Process) { self.process = process }
    }

    private let socket: PacketSocket
    private let serverDescriptor: ProcessDescriptor
    let serverPID: Int32
    private unowned let supervisor: Supervisor
    private let lock = InternalLock()
    /// Held while a report is received and handled: the supervisor thread and a starting
    /// caller both read them, and a child's `exited` must be handled after its `started`.
    /// Also held while the socket is closed, so that a reader that saw ``isUsable`` reads a
    /// live socket.
    private let readerLock = InternalLock()
    private var nextRequest: UInt64 = 0
    private var pending: [UInt64: PendingStart] = [:]
    private var usable = true
    /// Started children by pid, until their exit report or a joiner's ``claimEnded(_:pid:)``.
    private var children: [Int32: Process] = [:]

    private init(socket: PacketSocket, serverPID: Int32, serverDescriptor: ProcessDescriptor, supervisor: Supervisor) {
        self.socket = socket
        self.serverPID = serverPID
        self.serverDescriptor = serverDescriptor
        self.supervisor = supervisor
    }

    /// Starts a server (on the supervisor thread, so that its parent-death signal is tied to
    /// a thread that never exits).
    static func launch(supervisor: Supervisor) throws(ProcessError) -> ForkServerClient {
        usageCheck(supervisor.isCurrentThread, "ForkServerClient.launch must run on the supervisor thread")
        var program = try ChildLaunch.childProgram(mode: "forkserver")
        // Every symbol of the program bound as the server loads (about a millisecond, once):
        // otherwise a child's first call of a function the server never called binds it lazily,
        // in every child again (a search of every library's symbol table: ~7 page faults per
        // symbol, ten symbols for a no-op entry; measured). The server removes both variables.
        if !program.environment.contains(where: { $0.hasPrefix("LD_BIND_NOW=") }) {
            program.environment += ["LD_BIND_NOW=1", "\(ChildBootstrap.bindNowVariable)=1"]
        }
        let mine: PacketSocket
        let theirs: CInt
        do throws(Errno) {
            let pair = try PacketSocket.pair()
            mine = pair.0
            theirs = try ProcessControl.moveDescriptor(pair.1.fd, atLeast: ChildBootstrap.parentDescriptor + 1)
        } catch {
            throw .startFailed(error)
        }
        program.fileActions = [.duplicate(theirs, to: ChildBootstrap.channelDescriptor), .closeFrom(ChildBootstrap.channelDescriptor + 1)]
        let pid: Int32
        do throws(Errno) {
            pid = try program.run()
        } catch {
            mine.close()
            FileDescriptor.closeAll([theirs])
            throw .startFailed(error)
        }
        FileDescriptor.closeAll([theirs])
        do {
            let descriptor = try ProcessDescriptor.open(pid: pid)
            let client = ForkServerClient(socket: mine, serverPID: pid, serverDescriptor: descriptor, supervisor: supervisor)
            try supervisor.watchForkServer(socket: mine.fd, process: descriptor)
            return client
        } catch {
            ProcessControl.killAndReap(pid)
            mine.close()
            throw .forkServerUnavailable("cannot watch the server (\(error))")
        }
    }

    /// Whether requests can still be sent (the server has not gone away).
    var isUsable: Bool { lock.withLock { usable } }

    /// Descriptors a request may carry for the entry's shared objects (beside the parent's
    /// pidfd, the three standard streams and the payload pipe).
    static let passableDescriptors = PacketSocket.maximumDescriptors - 5

    /// Asks the server for a child running `payload`, passing `shared` (the descriptors the
    /// entry's handles refer to, in slot order); returns once the child exists.
    func start(_ process: Process, payload: [UInt8], descriptors shared: [CInt]) throws(ProcessError) {
        guard shared.count <= Self.passableDescriptors else {
            throw .tooManyDescriptors(count: shared.count, limit: Self.passableDescriptors)
        }
        let request = PendingStart(process)
        let id = lock.withLock { () -> UInt64? in
            guard usable else { return nil }
            nextRequest += 1
            pending[nextRequest] = request
            return nextRequest
        }
        guard let id else { throw .forkServerUnavailable("the server exited") }

        var descriptors: [CInt] = []
        let parent = supervisor.selfDescriptor
        if let parent { descriptors.append(parent.rawValue) }
        let inherits = process.standardInput == .inherit
        if inherits { descriptors.append(0) }
        // The child writes where this program writes now, not where the server's streams
        // went when it started (a program may have redirected them since, as output-capturing
        // tests do): .fork and .spawn children inherit them the same way.
        let passesOutput = StandardStreams.isOpen(1), passesError = StandardStreams.isOpen(2)
        if passesOutput { descriptors.append(1) }
        if passesError { descriptors.append(2) }
        // A payload too large for one packet goes through a pipe whose read end travels
        // instead; the entry's own descriptors come last, in slot order.
        var largePayload: FileDescriptor?
        do {
            var readEnd: FileDescriptor?
            defer { _ = try? readEnd?.close() }
            if payload.count > ForkServerMessage.inlinePayloadLimit {
                let pipe = try FileDescriptor.closeOnExecPipe()
                (readEnd, largePayload) = (pipe.readEnd, pipe.writeEnd)
                descriptors.append(pipe.readEnd.rawValue)
            }
            let message = ForkServerMessage.start(
                request: id, inheritsStandardInput: inherits, hasParentDescriptor: parent != nil,
                passesOutput: passesOutput, passesError: passesError, payload: largePayload == nil ? payload : [])
            try socket.send(message.encoded(), descriptors: descriptors + shared)
        } catch {
            _ = try? largePayload?.close()
            abandon(id)
            throw .forkServerUnavailable("cannot send the request (\(error))")
        }
        if let writeEnd = largePayload {
            // Written on the supervisor thread, which blocks SIGPIPE: a child that dies before
            // reading gives EPIPE there instead of killing this program.
            supervisor.perform {
                _ = try? writeEnd.writeAll(bytes: payload)
                _ = try? writeEnd.close()
            }
        }
        awaitAnswerBriefly(request.done)
        if !request.done.wait(timeout: Self.answerTimeout) {
            // A server that does not answer (stopped, or stuck) is broken: end it, and with it
            // any child it may still create for this request; the next start launches a new one.
            supervisor.perform { self.serverGone("it did not answer a start request within \(Self.answerTimeout)") }
            request.done.wait()
        }
        if let failure = request.failure { throw failure }
    }

    /// How long ``start(_:payload:descriptors:)`` waits for the server's answer
    /// (``Multitask/forkServerTimeout``).
    static let storedAnswerTimeout = LockedBox(Duration.seconds(10), inForkChild: { _ in })

    static var answerTimeout: Duration {
        get { storedAnswerTimeout.withLock { $0 } }
        set {
            usageCheck(newValue > .zero, "Multitask.forkServerTimeout must be positive, not \(newValue)")
            storedAnswerTimeout.withLock { $0 = newValue }
        }
    }

    /// For a short while, reads the server's answer on the calling thread, so that the
    /// supervisor thread's wake-up and its hand-off to this one are not in the way (the
    /// supervisor reads it if this thread does not first). The polls yield the CPU.
    private func awaitAnswerBriefly(_ done: Event) {
        let end = Deadline.now.nanoseconds + Process.exitPollingBudget
        while !done.isSet && Deadline.now.nanoseconds < end {
            // A failed connection is left to the supervisor thread, which sees it too.
            guard readerLock.withLock({ isUsable && receiveReports() == nil }) else { return }
            if !done.isSet { CPU.yield() }
        }
    }

    private func abandon(_ id: UInt64) {
        _ = lock.withLock { pending.removeValue(forKey: id) }
    }

    // MARK: Supervisor thread

    /// Reads every waiting report from the server.
    func socketReadable() {
        guard let failure = readerLock.withLock({ isUsable ? receiveReports() : nil }) else { return }
        serverGone(failure)
    }

    /// Handles every waiting report; returns why the connection ended, if it did (the
    /// supervisor thread handles that). Called with `readerLock` held.
    private func receiveReports() -> String? {
        while true {
            let received: PacketSocket.Received
            do throws(Errno) {
                received = try socket.receive(capacity: ForkServerMessage.replyMaximumSize, nonBlocking: true)
            } catch {
                return "the connection failed (\(error))"
            }
            switch received {
            case .wouldBlock:
                return nil
            case .endOfStream:
                return "the server exited"
            case .message(let bytes, let descriptors):
                handle(ForkServerMessage(bytes), descriptors: descriptors)
            }
        }
    }

    private func handle(_ message: ForkServerMessage?, descriptors: [CInt]) {
        switch message {
        case let .started(id, pid)?:
            guard let request = lock.withLock({ pending.removeValue(forKey: id) }), let fd = descriptors.first else {
                FileDescriptor.closeAll(descriptors)
                return
            }
            FileDescriptor.closeAll(descriptors.dropFirst())
            request.process.didStart(pid: pid, descriptor: ProcessDescriptor(rawValue: fd), method: .forkserver)
            lock.withLock { children[pid] = request.process }
            request.done.set()
        case let .failed(id, errno)?:
            FileDescriptor.closeAll(descriptors)
            guard let request = lock.withLock({ pending.removeValue(forKey: id) }) else { return }
            request.failure = .startFailed(Errno(rawValue: errno))
            request.done.set()
        case let .exited(pid, code)?:
            FileDescriptor.closeAll(descriptors)
            lock.withLock { children.removeValue(forKey: pid) }?.didFinish(exitCode: code)
        case .start?, nil:
            FileDescriptor.closeAll(descriptors)
        }
    }

    /// The server process ended.
    func serverExited() {
        serverGone("the server exited")
    }

    /// The server is gone (or its connection failed): fail waiting starts, reap the server,
    /// release the connection. Its children die by their parent-death signal; watch them end.
    private func serverGone(_ why: String) {
        let taken = lock.withLock { () -> (waiting: [PendingStart], children: [Int32: Process])? in
            guard usable else { return nil }
            usable = false
            defer { pending = [:]; children = [:] }
            return (Array(pending.values), children)
        }
        guard let (waiting, children) = taken else { return }
        for request in waiting {
            request.failure = .forkServerUnavailable(why)
            request.done.set()
        }
        for (_, process) in children {
            if let descriptor = process.watchableDescriptor {
                supervisor.watch(process, descriptor: descriptor, isDirectChild: false)
            }
        }
        supervisor.unwatchForkServer(socket: socket.fd, process: serverDescriptor)
        readerLock.withLock { socket.close() }
        // The server exits on its own once the connection is gone; make sure, then reap it
        // here so that nothing of it outlives this call.
        if !serverDescriptor.hasExited { try? serverDescriptor.sendSignal(Signal.kill) }
        _ = try? serverDescriptor.reap(nonBlocking: false)
        serverDescriptor.close()
    }

    /// Takes `process` (child `pid`) off the children whose exit the server reports, for a
    /// joiner that saw it end and read its status itself; false if the report was already
    /// handled, or the server is gone (the supervisor then watches the child).
    func claimEnded(_ process: Process, pid: Int32) -> Bool {
        lock.withLock {
            guard children[pid] === process else { return false }
            children[pid] = nil
            return true
        }
    }

    /// In a fork child: this connection belongs to the parent.
    func closeAfterFork() {
        lock.reinitializeAfterFork()
        readerLock.reinitializeAfterFork()
        guard usable else { return }
        socket.close()
        serverDescriptor.close()
    }
}
