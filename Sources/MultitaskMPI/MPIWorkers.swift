/// Where an MPI ``Multitask/Pool`` finds its workers.
public enum MPIWorkers: Sendable, Hashable {
    /// The other ranks of a program started with `mpirun -n N` (or `srun`): rank 0 runs
    /// `main` and the pool, ranks 1 to N-1 serve it from ``MPI/bootstrap(workersPerNode:)``.
    /// A hostfile or `--host` list puts them on other machines.
    case launched
    /// `count` copies of this executable started with `MPI_Comm_spawn` by a program that runs
    /// without `mpirun`; each serves with `workersPerNode` local worker processes (default: the
    /// CPUs it may use).
    case spawned(_ count: Int, workersPerNode: Int? = nil)
}
