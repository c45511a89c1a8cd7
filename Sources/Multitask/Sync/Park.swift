/// What a parked waiter does next, decided by the `prepare` step of
/// ``FutexWord/park(until:spin:poll:prepare:)`` from the state it reads.
enum ParkStep {
    /// The wait is over: the condition holds (and whatever `prepare` claimed is claimed).
    case done
    /// The state changed under `prepare` (a compare-and-exchange failed): ask again at once.
    case retry
    /// Sleep while the word still holds `expecting` (the value `prepare` read or registered).
    case sleep(expecting: UInt32)
}

extension FutexWord {
    /// Waits on this word until `prepare` says ``ParkStep/done`` or `deadline` passes; the one
    /// wait loop under every blocking call of Multitask (in the manner of parking_lot's `park`).
    ///
    /// The loop: spin for `spin`'s budget on `poll` (a cheap check, typically a relaxed load
    /// plus a claim; `true` ends the wait as done); then repeatedly ask `prepare`, which reads
    /// the state, claims it or registers as a sleeper, and names the value to sleep on; sleep
    /// on the futex while the word holds that value. A futex return is only a hint (a wake
    /// meant for another waiter, a signal), so `prepare` always decides. When the deadline
    /// passes, `prepare` gets one last say, so a release that raced with the timeout is not
    /// lost. Returns `true` when done, `false` when the deadline passed first (nil: never).
    @inline(__always)
    func park(
        until deadline: Deadline?, spin: SpinPolicy = .none, poll: () -> Bool = { false },
        prepare: () -> ParkStep
    ) -> Bool {
        if spin.budget > 0 && spin.spin(until: poll) { return true }
        while true {
            switch prepare() {
            case .done: return true
            case .retry: continue
            case .sleep(let expected):
                if Futex.wait(raw, expected: expected, deadline: deadline, shared: isShared) == .timedOut {
                    return lastSay(prepare)
                }
            }
        }
    }

    /// The last `prepare` after the deadline: done or not, without sleeping again.
    @inline(never)
    private func lastSay(_ prepare: () -> ParkStep) -> Bool {
        while true {
            switch prepare() {
            case .done: return true
            case .retry: continue
            case .sleep: return false
            }
        }
    }
}
