import CShim
import Glibc
import SystemPackage

/// The library's one long-lived thread per process: it creates every child and reaps it.
///
/// Two kernel facts make a single thread the right design:
/// - `PR_SET_PDEATHSIG` fires when the *thread* that created the child exits, not the process
///   (`notes/swift-probes.md`, probe 5). A child created from a Task or a short-lived thread
///   would be killed when that thread retires. So `fork` and `posix_spawn` are only ever
///   called here, on a thread that never exits.
/// - Children are watched with pidfds in one epoll set and reaped with `waitid(P_PIDFD)` as
///   soon as they end, so no zombie lingers and no SIGCHLD handler is installed (the
///   program's own SIGCHLD handling is left alone).
///
/// Other threads hand work to it with ``perform(_:)`` and block until it is done; the thread
/// blocks every signal so that signals meant for the program go to the program's threads.
final class Supervisor: @unchecked Sendable {
    private static let instanceLock = InternalLock()
    nonisolated(unsafe) private static var instance: Supervisor?

    /// This process's supervisor, started on first use.
    static var shared: Supervisor {
        instanceLock.withLock {
            if let instance { return instance }
            let created = Supervisor()
            instance = created
            return created
        }
    }

    /// In a fork child: the parent's supervisor thread does not exist here. Its descriptors
    /// are closed and the next use starts a new one.
    static func forgetAfterFork() {
        instanceLock.reinitializeAfterFork()
        if let old = instance {
            old.epoll.close()
            old.doorbell.close()
            old.forkServer?.closeAfterFork()
        }
        instance = nil
    }

    private enum Tag {
        static let doorbell: UInt64 = 1 << 32
        static let forkServer: UInt64 = 2 << 32
        static let forkServerProcess: UInt64 = 3 << 32
        static let kindMask: UInt64 = 0xffff_ffff << 32
    }

    private final class Job {
        let body: () -> Void
        let done = Event()
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    let epoll: Epoll
    private let doorbell: EventCounter
    private let lock = InternalLock()
    private var jobs: [Job] = []
    /// A watched child: a direct child is reaped with `waitid`; a fork-server child whose
    /// server died is not ours to reap and only its end is observed.
    private struct Watch {
        let process: Process
        let isDirectChild: Bool
    }
    /// Watched children by pidfd number; touched only on the supervisor thread.
    private var watched: [CInt: Watch] = [:]
    private(set) var threadID: pthread_t?
    /// The fork-server client, once the server was started.
    private var forkServer: ForkServerClient?
    /// A pidfd on this process itself, handed to spawned children as their parent sentinel.
    /// Numbered above the descriptors it is duplicated onto in the child (see `ChildLaunch`).
    private(set) lazy var selfDescriptor: ProcessDescriptor? = {
        guard let fd = try? ProcessDescriptor.open(pid: getpid()).rawValue else { return nil }
        return (try? ProcessControl.moveDescriptor(fd, atLeast: ChildBootstrap.parentDescriptor + 1)).map(ProcessDescriptor.init)
    }()

    private init() {
        do {
            epoll = try Epoll()
            doorbell = try EventCounter()
            try epoll.add(doorbell.fd, tag: Tag.doorbell)
        } catch {
            fatalError("Multitask: cannot create the process supervisor (\(error))")
        }
        let context = Unmanaged.passRetained(self).toOpaque()
        var handle = pthread_t()
        let rc = pthread_create(&handle, nil, { raw in
            let supervisor = Unmanaged<Supervisor>.fromOpaque(raw!).takeRetainedValue()
            supervisor.loop()
        }, context)
        precondition(rc == 0, "Multitask: cannot start the process supervisor thread (\(String(cString: strerror(rc))))")
        pthread_detach(handle)
        threadID = handle
    }

    /// Whether the caller is the supervisor thread.
    var isCurrentThread: Bool {
        guard let threadID else { return false }
        return pthread_equal(threadID, pthread_self()) != 0
    }

    /// Runs `body` on the supervisor thread and returns its result; the caller blocks meanwhile.
    func perform<Result>(_ body: @escaping () -> Result) -> Result {
        if isCurrentThread { return body() }
        var result: Result?
        let job = Job { result = body() }
        lock.withLock { jobs.append(job) }
        doorbell.ring()
        job.done.wait()
        return result!
    }

    // MARK: The thread

    private func loop() -> Never {
        ProcessControl.blockAllSignals()
        _ = cshim_set_thread_name("mt-supervisor")
        while true {
            for tag in epoll.wait() {
                switch tag & Tag.kindMask {
                case Tag.doorbell: runJobs()
                case Tag.forkServer: forkServer?.socketReadable()
                case Tag.forkServerProcess: forkServer?.serverExited()
                default: reap(CInt(truncatingIfNeeded: tag))
                }
            }
        }
    }

    private func runJobs() {
        doorbell.drain()
        while true {
            let batch = lock.withLock { () -> [Job] in
                defer { jobs.removeAll(keepingCapacity: true) }
                return jobs
            }
            if batch.isEmpty { return }
            for job in batch {
                job.body()
                job.done.set()
            }
        }
    }

    // MARK: Watching children (supervisor thread only)

    /// Starts watching a direct child; it is reaped as soon as it ends.
    func watch(_ process: Process, descriptor: ProcessDescriptor, isDirectChild: Bool = true) {
        precondition(isCurrentThread)
        watched[descriptor.rawValue] = Watch(process: process, isDirectChild: isDirectChild)
        do {
            try epoll.add(descriptor.rawValue, tag: UInt64(UInt32(bitPattern: descriptor.rawValue)))
        } catch {
            fatalError("Multitask: cannot watch child process (\(error))")
        }
    }

    /// Watches any descriptor under a private tag (the fork server's socket and process).
    func watchForkServer(socket: CInt, process: ProcessDescriptor) throws(Errno) {
        try epoll.add(socket, tag: Tag.forkServer)
        try epoll.add(process.rawValue, tag: Tag.forkServerProcess)
    }

    func unwatchForkServer(socket: CInt, process: ProcessDescriptor) {
        epoll.remove(socket)
        epoll.remove(process.rawValue)
    }

    private func reap(_ fd: CInt) {
        guard let watch = watched[fd] else {
            epoll.remove(fd)
            return
        }
        guard let code = exitCode(of: ProcessDescriptor(rawValue: fd), isDirectChild: watch.isDirectChild) else { return }
        epoll.remove(fd)
        watched[fd] = nil
        watch.process.didFinish(exitCode: code)
    }

    /// The exit code of a child whose pidfd is readable; nil if it has not ended after all.
    private func exitCode(of descriptor: ProcessDescriptor, isDirectChild: Bool) -> Int32? {
        // A fork-server child orphaned by its server's death: PR_SET_PDEATHSIG killed it.
        guard isDirectChild else { return -SIGKILL }
        do {
            return try descriptor.reap(nonBlocking: true)
        } catch {
            // ECHILD: someone else reaped it (a `waitpid(-1)` elsewhere in the program, or
            // SIGCHLD set to SIG_IGN). The status is lost; report it as 255.
            return 255
        }
    }

    // MARK: The fork server

    /// The fork-server client, starting the server if needed (on the supervisor thread).
    func forkServerClient() throws(ProcessError) -> ForkServerClient {
        let result: Result<ForkServerClient, ProcessError> = perform {
            if let client = self.forkServer, client.isUsable { return .success(client) }
            do throws(ProcessError) {
                let client = try ForkServerClient.launch(supervisor: self)
                self.forkServer = client
                return .success(client)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
