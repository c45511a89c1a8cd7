#if MPI
import CMPI
import Glibc

/// Typed calls into Open MPI, made by the MPI thread of a process or under its lock: every
/// call checks its return code and turns a failure into ``MPIError``.
enum MPICalls {
    /// The tag of every message of the backend.
    static let tag: Int32 = 17

    /// Tells Open MPI, before it starts in this process, not to yield the CPU inside every
    /// call that finds nothing to do (`mpi_yield_when_idle`, which `mpirun` turns on when ranks
    /// outnumber cores): the MPI thread never blocks inside MPI, it polls and sleeps by
    /// ``MPIBackoff``, and on a loaded machine a yield per poll gives the CPU away to whatever
    /// else runs, for a whole time slice. Call while the process has one thread, or before any
    /// other reads the environment.
    static func prepareEnvironment() {
        setenv("OMPI_MCA_mpi_yield_when_idle", "0", 1)
    }

    /// Initialises MPI for calls from several threads, one at a time
    /// (`MPI_THREAD_SERIALIZED`): the calling thread polls MPI with ``MPIBackoff``, whose short
    /// sleeps it makes precise; another thread calls MPI only under the same lock as it (a
    /// node's pool dispatcher sending an outcome, a front end's submitter sending a task).
    static func initialize() throws(MPIError) {
        MPIBackoff.preciseSleeps()
        var provided: Int32 = 0
        try check(MPI_Init_thread(nil, nil, Int32(MPI_THREAD_SERIALIZED), &provided), "MPI_Init_thread")
        guard provided >= Int32(MPI_THREAD_SERIALIZED) else {
            throw MPIError.callFailed(call: "MPI_Init_thread", message: "this MPI gives thread level \(provided), not MPI_THREAD_SERIALIZED")
        }
        try check(MPI_Comm_set_errhandler(cmpi_comm_world(), cmpi_errors_return()), "MPI_Comm_set_errhandler")
    }

    /// Whether `MPI_Init` ran in this process.
    static var isInitialized: Bool {
        var flag: Int32 = 0
        MPI_Initialized(&flag)
        return flag != 0
    }

    /// Ends MPI in this process.
    static func finalize() {
        _ = MPI_Finalize()
    }

    /// This process's rank in `MPI_COMM_WORLD`.
    static func worldRank() throws(MPIError) -> Int32 {
        var rank: Int32 = 0
        try check(MPI_Comm_rank(cmpi_comm_world(), &rank), "MPI_Comm_rank")
        return rank
    }

    /// The number of processes in `MPI_COMM_WORLD`.
    static func worldSize() throws(MPIError) -> Int32 {
        var size: Int32 = 0
        try check(MPI_Comm_size(cmpi_comm_world(), &size), "MPI_Comm_size")
        return size
    }

    /// The intercommunicator to the program that spawned this one, or nil.
    static func parent() throws(MPIError) -> MPI_Comm? {
        var parent: MPI_Comm? = nil
        try check(MPI_Comm_get_parent(&parent), "MPI_Comm_get_parent")
        guard let parent, parent != cmpi_comm_null() else { return nil }
        try check(MPI_Comm_set_errhandler(parent, cmpi_errors_return()), "MPI_Comm_set_errhandler")
        return parent
    }

    /// Starts `count` copies of `executable` with `arguments` and returns the
    /// intercommunicator to them (their ranks are 0..<count on its remote side).
    static func spawn(_ executable: String, arguments: [String], count: Int32) throws(MPIError) -> MPI_Comm {
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var children: MPI_Comm? = nil
        var codes = [Int32](repeating: 0, count: Int(count))
        let status = MPI_Comm_spawn(executable, &argv, count, cmpi_info_null(), 0, cmpi_comm_self(), &children, &codes)
        try check(status, "MPI_Comm_spawn")
        guard let children else { throw MPIError.callFailed(call: "MPI_Comm_spawn", message: "no intercommunicator") }
        try check(MPI_Comm_set_errhandler(children, cmpi_errors_return()), "MPI_Comm_set_errhandler")
        return children
    }

    /// Waits for the pending communication on `comm` and frees it (both sides call it).
    static func disconnect(_ comm: MPI_Comm) {
        var comm: MPI_Comm? = comm
        _ = MPI_Comm_disconnect(&comm)
    }

    /// Ends every process of the job (the runtime kills them), with `code`.
    static func abort(_ code: Int32) -> Never {
        _ = MPI_Abort(cmpi_comm_world(), code)
        Glibc.exit(code)
    }

    /// Throws ``MPIError/callFailed(call:message:)`` unless `status` is `MPI_SUCCESS`.
    static func check(_ status: Int32, _ call: String) throws(MPIError) {
        guard status != MPI_SUCCESS else { return }
        throw MPIError.callFailed(call: call, message: errorString(status))
    }

    /// Open MPI's text for an error code.
    static func errorString(_ status: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
        var length: Int32 = 0
        _ = MPI_Error_string(status, &buffer, &length)
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
#endif
