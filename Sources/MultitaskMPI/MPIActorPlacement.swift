import Multitask
import Synchronization

extension ActorPlacement {
    /// On node `number` of this process's MPI pool (``Multitask/Pool/init(mpi:)``): node 1 is
    /// rank 1 under `mpirun`, the first spawned worker otherwise. The node runs no actor code
    /// itself: it hosts the actor in a supervised child process of its own, restarted there by
    /// the system's ``ActorRestartPolicy`` (a crash comes back to the caller as
    /// ``ActorSystemError/hostCrashed(exitCode:report:)``); a node that is lost fails its
    /// actors' calls with ``ActorSystemError/hostUnavailable(_:)`` naming it. Its actors live as
    /// long as the pool does.
    ///
    /// ```swift
    /// let pool = try Pool(mpi: .launched)                                 // mpirun -n 3 ./app
    /// let parser = try await Parser.spawn(in: .mpiNode(1), using: system)
    /// ```
    public static func mpiNode(_ number: Int) -> ActorPlacement {
        .remote(MPIActorPlace(node: number))
    }
}

/// A node of the MPI pool as a place for actor hosts: the router of the pool running in this
/// process, found when a host opens (none: the placement fails).
final class MPIActorPlace: ActorRemoteHosting {
    /// The node's number, 1-based.
    let node: Int

    /// Node `node` (1-based).
    init(node: Int) {
        self.node = node
    }

    /// The router of this process's MPI pool, or nil.
    private var router: MPIActorRouter? { MPIActorRouter.current.withLock { $0 } }

    /// Opens `host` on the node through the pool's router.
    func open(_ host: ActorRemoteHost) throws(ActorSystemError) {
        guard let router else {
            throw .hostUnavailable("no MPI pool runs in this process: create one with Pool(mpi:) before placing actors on MPI nodes")
        }
        try router.open(host, onNode: node)
    }

    /// Sends a call of `host` (a pool that ended fails it).
    func send(_ call: [UInt8], callID: UInt64, from host: ActorRemoteHost) {
        guard let router else { return host.lose("the MPI pool ended") }
        router.send(call, callID: callID, from: host)
    }

    /// Stops the far host of `host`.
    func close(_ host: ActorRemoteHost) { router?.close(host) }

    /// Kills the far host's process.
    func kill(_ host: ActorRemoteHost) { router?.kill(host) }
}

extension MPIActorRouter {
    /// The router of the MPI pool running in this process (one MPI pool per process).
    static let current = Mutex<MPIActorRouter?>(nil)
}
