import Multitask
import Synchronization
#if MPI
import Glibc
#endif

/// The process-wide entry points of the MPI backend.
public enum MPI {
    /// Call first thing in `main` (instead of `Multitask.bootstrap()`, which it calls): in an
    /// MPI worker — a rank other than 0 under `mpirun`, or a copy started by
    /// ``MPIWorkers/spawned(_:workersPerNode:)`` — it serves tasks and ends the process, never
    /// returning; elsewhere it returns at once.
    ///
    /// - Parameter workersPerNode: the local worker processes of each rank started by
    ///   `mpirun` (default: the `MULTITASK_MPI_WORKERS` environment variable, else the CPUs the
    ///   rank may use).
    public static func bootstrap(workersPerNode: Int? = nil) {
        Multitask.bootstrap()
        #if MPI
        let spawned = CommandLine.arguments.contains(MPIStartup.workerFlag)
        guard spawned || (launchedRank ?? 0) > 0 else { return }
        let fromArguments = CommandLine.arguments.first { $0.hasPrefix(MPIStartup.workersFlag) }
            .flatMap { Int($0.dropFirst(MPIStartup.workersFlag.count)) }
        let fromEnvironment = getenv("MULTITASK_MPI_WORKERS").flatMap { Int(String(cString: $0)) }
        let workers = fromArguments ?? workersPerNode ?? fromEnvironment ?? CPU.available
        MPINode.serve(workers: max(1, workers), spawned: spawned)
        #endif
    }

    /// This process's rank when it was started by `mpirun` (Open MPI), nil otherwise.
    public static var launchedRank: Int? {
        #if MPI
        getenv("OMPI_COMM_WORLD_RANK").flatMap { Int(String(cString: $0)) }
        #else
        nil
        #endif
    }

    /// Whether this build has the MPI backend (the package trait `MPI`).
    public static var isBuilt: Bool {
        #if MPI
        true
        #else
        false
        #endif
    }
}

#if MPI
/// Starting the MPI backend: the front end's thread, the flags of spawned workers, and the
/// way out when the job cannot go on.
enum MPIStartup {
    /// The argument that makes a spawned copy of the program an MPI worker.
    static let workerFlag = "--multitask-mpi-worker"
    /// The argument prefix that gives a spawned worker its local worker count.
    static let workersFlag = "--multitask-mpi-workers="
    /// Set once a front end started: MPI cannot be initialised twice in a process.
    static let used = Atomic<Bool>(false)

    /// Starts the front end's MPI thread and waits until every node reported its workers.
    static func startFrontEnd(_ workers: MPIWorkers) throws(MPIError) -> (MPIFrontEnd, Int) {
        guard !used.exchange(true, ordering: .acquiringAndReleasing) else { throw MPIError.alreadyUsed }
        if case .spawned(let count, let perNode) = workers {
            usageCheck(count > 0, "Pool(mpi: .spawned): needs at least one worker, got \(count)")
            usageCheck((perNode ?? 1) > 0, "Pool(mpi: .spawned): workersPerNode must be positive")
            // A singleton has no hostfile: let it place more MPI processes than this machine has cores.
            setenv("OMPI_MCA_rmaps_base_oversubscribe", "1", 0)
        }
        MPICalls.prepareEnvironment()
        let frontEnd = MPIFrontEnd()
        let handshake = Mutex<Result<Int, MPIError>?>(nil)
        let ready = Event()
        let thread = Multitask.Thread(name: "MPI", daemon: true) {
            do {
                let total = try frontEnd.connect(workers)
                handshake.withLock { $0 = .success(total) }
                ready.set()
                frontEnd.run()
            } catch {
                let failure = (error as? MPIError) ?? .callFailed(call: "start", message: "\(error)")
                handshake.withLock { $0 = .failure(failure) }
                ready.set()
            }
        }
        thread.start()
        ready.wait()
        switch handshake.withLock({ $0 })! {
        case .success(let total):
            MPIActorRouter.current.withLock { $0 = frontEnd.actors }
            return (frontEnd, total)
        case .failure(let error): throw error
        }
    }

    /// Says why on standard error and ends every process of the job (`MPI_Abort`). Only from
    /// the MPI thread.
    static func abort(_ message: String) -> Never {
        report(message)
        MPICalls.abort(70)
    }

    /// Writes `message` to standard error as one line.
    static func report(_ message: String) {
        let line = "multitask MPI: \(message)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
    }
}

/// The path of this program's executable, for `MPI_Comm_spawn`.
enum MPIExecutable {
    static func path() throws(MPIError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { throw MPIError.callFailed(call: "readlink(/proc/self/exe)", message: String(cString: strerror(errno))) }
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
#endif
