import Multitask
import Synchronization

extension Pool {
    /// A pool whose workers are MPI processes, on this machine or many: the same API as a local
    /// pool (`apply`, `map`, `imap`, `imapUnordered`, `starmap`, the `async` forms, `close`,
    /// `terminate`, `join`), tasks found by type name on every node (the same executable).
    ///
    /// Each node runs no task itself: it feeds a local pool of forkserver workers sized to its
    /// cores, so a task that traps, exits or outlives its `timeout` fails alone with the same
    /// ``PoolError`` as locally, naming the node (`task #3 (Square) on rank 2`). One thread
    /// per process talks to MPI; idle ranks poll with back-off instead of spinning.
    /// `close()` then `join()` (or `terminate()`) end every node and MPI itself
    /// (`MPI_Finalize`): one MPI pool per process.
    ///
    /// ```swift
    /// MPI.bootstrap()                                   // mpirun -n 3 ./app
    /// let pool = try Pool(mpi: .launched)
    /// ```
    ///
    /// - Throws: ``MPIError`` when MPI cannot start, there are no workers, or they do not
    ///   report ready within 60 s.
    public convenience init(mpi workers: MPIWorkers) throws(MPIError) {
        #if MPI
        let (frontEnd, total) = try MPIStartup.startFrontEnd(workers)
        self.init(remote: frontEnd.engine, processes: total, startMethod: .forkserver)
        #else
        throw MPIError.notBuilt
        #endif
    }
}
