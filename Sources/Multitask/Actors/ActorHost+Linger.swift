/// A caller whose call is alone in flight reads the replies itself for a moment (see
/// ``ActorHost/send(_:)``): no reader wake-up, no hop to a cooperative thread.
extension ActorHost {
    /// Reads `replies` for up to ``ActorLinger/window`` for the reply to `callID`, handing
    /// the other replies it takes to their callers; the call's outcome, or nil when the
    /// window passed first or the queue ended or brought bytes that are no replies (the caller
    /// then suspends).
    func linger(for callID: UInt64, on replies: Queue<[UInt8]>) -> Result<ActorOutcome, any Error>? {
        let end = Deadline.now.nanoseconds + ActorLinger.window
        repeat {
            for _ in 0..<16 {
                let batch: [ActorReply]
                do {
                    guard let taken = try Self.takeReplies(from: replies) else {
                        CPU.relax()
                        continue
                    }
                    batch = taken
                } catch {
                    return nil
                }
                var others = batch
                let own = others.firstIndex { $0.callID == callID }.map { others.remove(at: $0) }
                if !others.isEmpty { deliver(others) }
                guard let own else { continue }
                state.withLock { _ = $0.pending.removeValue(forKey: callID) }
                return .success(own.outcome)
            }
            // The reader (woken for other callers) or a failure may have answered it.
            if let outcome = takeOutcome(of: callID) { return outcome }
        } while Deadline.now.nanoseconds < end
        return nil
    }

    /// The outcome left for the lingering caller of `callID`, if one came (the call is then
    /// no longer pending).
    private func takeOutcome(of callID: UInt64) -> Result<ActorOutcome, any Error>? {
        state.withLock { state in
            guard let outcome = state.pending[callID]?.outcome else { return nil }
            state.pending[callID] = nil
            return outcome
        }
    }
}
