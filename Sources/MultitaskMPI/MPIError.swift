/// Why the MPI backend of `Pool` could not start or go on.
public enum MPIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An MPI call failed; `message` is Open MPI's text for its error code.
    case callFailed(call: String, message: String)
    /// The program runs without `mpirun`, or as a single rank: there is no rank to send tasks to.
    case noWorkerRanks
    /// A worker rank did not say it was ready within `seconds`.
    case workersDidNotStart(seconds: Int)
    /// The program was built without the package trait `MPI` (`swift build --traits MPI`).
    case notBuilt
    /// Only one MPI pool per process: MPI cannot start again after it ended.
    case alreadyUsed

    /// A sentence saying what happened.
    public var description: String {
        switch self {
        case let .callFailed(call, message): "\(call) failed: \(message)"
        case .noWorkerRanks: "no MPI worker ranks: start the program with mpirun -n N (N >= 2), or spawn workers"
        case let .workersDidNotStart(seconds): "the MPI worker ranks did not report ready within \(seconds) s"
        case .notBuilt: "Multitask was built without MPI: build with `swift build --traits MPI`"
        case .alreadyUsed: "MPI was already used by an earlier pool in this process: one MPI pool per process"
        }
    }
}
