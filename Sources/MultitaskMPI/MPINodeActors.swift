import Multitask
import Synchronization

/// The actor hosts of a node: one ``ActorRelay`` (a supervised local host process) per host
/// the front end opened here, fed with the calls it sends; the outcomes wait in an outbox for
/// the node's MPI thread, which the relays ring.
final class MPINodeActors: Sendable {
    /// Everything that changes, under one lock.
    private struct State {
        /// The relays, by the front end's key.
        var relays: [UInt64: ActorRelay] = [:]
        /// Hosts that could not start, with the error their calls get.
        var failed: [UInt64: ActorSystemError] = [:]
        /// Outcomes for the front end.
        var outbox: [MPIActorFrame] = []
        /// Calls taken and not answered.
        var inFlight = 0
    }

    private let state = Mutex(State())
    /// Rings the node's MPI thread.
    private let doorbell: Event

    /// The actor hosts of a node whose MPI thread waits on `doorbell`.
    init(doorbell: Event) {
        self.doorbell = doorbell
    }

    /// Acts on the front end's frames, in order (on the MPI thread: opening a host starts its
    /// process here and now, closing one waits for its process to end, a few milliseconds).
    func handle(_ frames: [MPIActorFrame]) {
        for frame in frames {
            switch frame.kind {
            case .open:
                do {
                    let relay = try ActorRelay(settings: frame.bytes)
                    state.withLock { $0.relays[frame.key] = relay }
                } catch {
                    state.withLock { $0.failed[frame.key] = error }
                }
            case .call:
                call(frame)
            case .close:
                state.withLock { $0.relays.removeValue(forKey: frame.key) }?.stop()
            case .kill:
                state.withLock { $0.relays[frame.key] }?.kill()
            case .outcome:
                break
            }
        }
    }

    /// Runs a call on its relay; its outcome lands in the outbox.
    private func call(_ frame: MPIActorFrame) {
        let (relay, failure) = state.withLock { state in
            state.inFlight += 1
            return (state.relays[frame.key], state.failed[frame.key])
        }
        let key = frame.key, callID = frame.callID
        let reply: @Sendable ([UInt8]) -> Void = { [self] bytes in
            state.withLock { state in
                state.inFlight -= 1
                state.outbox.append(MPIActorFrame(kind: .outcome, key: key, callID: callID, bytes: bytes))
            }
            doorbell.set()
        }
        guard let relay else {
            return reply(ActorRelay.failure(failure ?? .hostUnavailable("the MPI node has no actor host \(key)")))
        }
        relay.handle(frame.bytes, reply: reply)
    }

    /// The outcomes to send (taken).
    func takeOutcomes() -> [MPIActorFrame] {
        state.withLock { state in
            defer { state.outbox.removeAll(keepingCapacity: true) }
            return state.outbox
        }
    }

    /// Whether calls are in flight (the MPI thread then polls eagerly).
    var isBusy: Bool { state.withLock { $0.inFlight > 0 } }

    /// Stops every host process (the node ends).
    func stopAll() {
        let relays = state.withLock { state in
            defer { state.relays.removeAll() }
            return Array(state.relays.values)
        }
        for relay in relays { relay.stop() }
    }
}
