import Multitask
import Synchronization

/// The actor traffic of the front end: the hosts placed on nodes (each an
/// ``ActorRemoteHost`` of some ``ProcessActorSystem`` of this process, known to the nodes by a
/// key), the frames waiting for the MPI thread, and the outcomes it routes back.
///
/// Other threads open hosts and send calls (and ring the doorbell); the MPI thread takes the
/// frames, routes the nodes' outcomes, and tells the router when a node is lost or the pool
/// ends, which fails the calls in flight then and every later one: nothing waits forever.
final class MPIActorRouter: Sendable {
    /// A host on a node.
    struct Placed {
        /// The caller's side of the host.
        let host: ActorRemoteHost
        /// The node's rank on the front end's communicator.
        let rank: Int32
    }

    /// Everything that changes, under one lock.
    struct State {
        /// The nodes, in order: rank on the front end's communicator, and name.
        var nodes: [(rank: Int32, name: String)] = []
        /// Frames for the MPI thread to send, by rank.
        var outbox: [Int32: [MPIActorFrame]] = [:]
        /// The open hosts by key, and the keys by host.
        var hosts: [UInt64: Placed] = [:]
        var keys: [ObjectIdentifier: UInt64] = [:]
        /// The key of the next host.
        var nextKey: UInt64 = 1
        /// Calls sent and not answered.
        var inFlight = 0
        /// Nodes lost, with the reason.
        var lost: [Int32: String] = [:]
        /// Why no call goes any more (the pool ended), or nil.
        var ended: String?
    }

    /// The hosts and frames.
    private let state = Mutex(State())
    /// Rings the MPI thread.
    private let doorbell: Event

    /// A router that rings `doorbell` when it has frames to send.
    init(doorbell: Event) {
        self.doorbell = doorbell
    }

    /// Records the nodes once they said hello.
    func connected(_ nodes: [(rank: Int32, name: String)]) {
        state.withLock { $0.nodes = nodes }
    }

    /// Opens `host` on node `number`: its relay there starts a host process.
    func open(_ host: ActorRemoteHost, onNode number: Int) throws(ActorSystemError) {
        let refusal = state.withLock { state -> String? in
            if let ended = state.ended { return ended }
            guard number >= 1 && number <= state.nodes.count else {
                return "there is no MPI node \(number): the MPI pool has \(state.nodes.count)"
            }
            let rank = state.nodes[number - 1].rank
            if let lost = state.lost[rank] { return lost }
            let key = state.nextKey
            state.nextKey += 1
            state.hosts[key] = Placed(host: host, rank: rank)
            state.keys[ObjectIdentifier(host)] = key
            state.outbox[rank, default: []].append(MPIActorFrame(kind: .open, key: key, bytes: host.settings))
            return nil
        }
        if let refusal { throw .hostUnavailable(refusal) }
        doorbell.set()
    }

    /// Queues `frame` (its key filled in) for the node of `host`; false when the host is not open.
    private func queue(_ frame: MPIActorFrame, for host: ActorRemoteHost, closing: Bool = false) -> Bool {
        let queued = state.withLock { state -> Bool in
            guard let key = state.keys[ObjectIdentifier(host)], let placed = state.hosts[key] else { return false }
            var frame = frame
            frame.key = key
            state.outbox[placed.rank, default: []].append(frame)
            if frame.kind == .call { state.inFlight += 1 }
            if closing {
                state.hosts[key] = nil
                state.keys[ObjectIdentifier(host)] = nil
            }
            return true
        }
        if queued { doorbell.set() }
        return queued
    }

    /// Sends a call of `host`; a host no longer open (its node lost, the pool ended) fails it.
    func send(_ call: [UInt8], callID: UInt64, from host: ActorRemoteHost) {
        guard !queue(MPIActorFrame(kind: .call, key: 0, callID: callID, bytes: call), for: host) else { return }
        let reason = state.withLock { $0.ended } ?? "the host is closed"
        host.lose(reason)
    }

    /// Stops the far host of `host`.
    func close(_ host: ActorRemoteHost) {
        _ = queue(MPIActorFrame(kind: .close, key: 0), for: host, closing: true)
    }

    /// Kills the far host's process.
    func kill(_ host: ActorRemoteHost) {
        _ = queue(MPIActorFrame(kind: .kill, key: 0), for: host)
    }

    // MARK: On the MPI thread

    /// The frames to send, by rank (taken: the outbox is empty afterwards).
    func takeOutbox() -> [Int32: [MPIActorFrame]] {
        state.withLock { state in
            defer { state.outbox.removeAll(keepingCapacity: true) }
            return state.outbox
        }
    }

    /// Whether calls are in flight (the MPI thread then polls eagerly).
    var isBusy: Bool { state.withLock { $0.inFlight > 0 } }

    /// Hands each outcome a node sent to its host.
    func route(_ frames: [MPIActorFrame]) {
        for frame in frames where frame.kind == .outcome {
            let host = state.withLock { state -> ActorRemoteHost? in
                guard let placed = state.hosts[frame.key] else { return nil }
                state.inFlight = max(0, state.inFlight - 1)
                return placed.host
            }
            host?.deliver(callID: frame.callID, outcome: frame.bytes)
        }
    }

    /// Node `rank` is lost (`reason` names it): its hosts fail their calls, now and later.
    func lose(rank: Int32, reason: String) {
        let hosts = state.withLock { state in
            state.lost[rank] = reason
            return state.hosts.values.filter { $0.rank == rank }.map(\.host)
        }
        for host in hosts { host.lose(reason) }
    }

    /// The pool ended (`reason`): every host fails its calls, now and later.
    func end(_ reason: String) {
        let hosts = state.withLock { state in
            state.ended = state.ended ?? reason
            state.outbox.removeAll()
            state.inFlight = 0
            return state.hosts.values.map(\.host)
        }
        for host in hosts { host.lose(reason) }
    }
}
