/// A transport that places actor hosts elsewhere (another machine, an MPI rank) and carries
/// their calls and outcomes as bytes: the seam between ``ProcessActorSystem`` and a backend
/// in another module (`MultitaskMPI`), which never sees the call's types.
///
/// The far side runs an ``ActorRelay`` per host: a supervised child host process there, so a
/// crash there stays there and is reported back as here. The transport hands each outcome to
/// ``ActorRemoteHost/deliver(callID:outcome:)`` and a lost connection to
/// ``ActorRemoteHost/lose(_:)``; it must not call them while it holds a lock of its own that
/// ``send(_:callID:from:)`` takes.
package protocol ActorRemoteHosting: AnyObject, Sendable {
    /// Starts a host for `host` on the far side, with ``ActorRemoteHost/settings``; throws when
    /// the place cannot take hosts (the transport is not running, no such place).
    func open(_ host: ActorRemoteHost) throws(ActorSystemError)
    /// Sends a call's bytes (an ``ActorCall`` as laid out by ``ActorWireBytes``) for `host`.
    func send(_ call: [UInt8], callID: UInt64, from host: ActorRemoteHost)
    /// Stops the far host of `host` (its process ends); nothing more comes for it. Called when
    /// the system stops the host, also after it was lost; a second call does nothing.
    func close(_ host: ActorRemoteHost)
    /// Kills the far host's process with SIGKILL, as a crash would (its supervisor there
    /// restarts it by the policy).
    func kill(_ host: ActorRemoteHost)
}

extension ActorPlacement {
    /// On a host placed by `hosting` (a backend's placement, such as `.mpiNode(1)`).
    package static func remote(_ hosting: any ActorRemoteHosting) -> ActorPlacement {
        ActorPlacement(kind: .remote(hosting))
    }
}
