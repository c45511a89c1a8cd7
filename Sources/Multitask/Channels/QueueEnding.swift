/// The end of a queue: ``close()`` and ``shutdown(immediate:)``, and the end state every
/// process reads from the shared `closed` word.
extension QueueStorage {
    /// The end state in the `closed` word: 0 open, 1 closed by ``close()``, any other value
    /// shut down by ``shutdown(immediate:)``. Once not 0, puts are refused.
    static let closedState: UInt32 = 1, shutDownState: UInt32 = 2

    /// Whether ``close()`` or ``shutdown(immediate:)`` was called: puts are refused.
    var isEnded: Bool { closedWord.load() != 0 }

    /// Whether ``close()`` was called (and no shutdown since).
    var isClosed: Bool { closedWord.load() == Self.closedState }

    /// Whether ``shutdown(immediate:)`` was called.
    var isShutDown: Bool { isEnded && !isClosed }

    /// What a refused put, or a get from an empty ended queue, throws; nil while open.
    var endError: QueueError? {
        switch closedWord.load() {
        case 0: nil
        case Self.closedState: .closed
        default: .shutDown
        }
    }

    /// Closes the queue for every process: later puts throw `.closed`; gets drain what is left,
    /// then throw `.closed`. Waiting producers and consumers wake up.
    func close() {
        // Under the producer lock, so no put can publish after a consumer saw `closed`.
        _ = lockProducers(until: nil)
        if closedWord.load() == 0 { closedWord.store(Self.closedState) }
        _ = producerLock.unlock()
        notEmpty.signalAlways()
        notFull.signalAlways()
    }

    /// Shuts the queue down for every process (Python 3.13's `shutdown`): later puts throw
    /// `.shutDown`; gets drain what is left, then throw `.shutDown`. With `immediate`, what is
    /// left is discarded first, each discarded message finishing its task. Waiting producers
    /// and consumers wake up. A closed queue becomes shut down.
    func shutdown(immediate: Bool) {
        // Under the producer lock, as for `close`: nothing is published after the state
        // changed, so a discard below leaves the queue empty for good.
        _ = lockProducers(until: nil)
        closedWord.store(Self.shutDownState)
        if immediate { discardAll() }
        _ = producerLock.unlock()
        notEmpty.signalAlways()
        notFull.signalAlways()
    }

    /// Consumes every published message without reading it (caller holds the producer lock):
    /// the head jumps to the tail in one store, as if a consumer had read them all, and their
    /// tasks count as done.
    func discardAll() {
        let tailNow = tail.pointee.load(ordering: .acquiring)
        cachedTailCount.pointee.store(UInt32(truncatingIfNeeded: tailNow), ordering: .releasing)
        // One exchange: a consumer's claim of a message before it fails (the head moved), so
        // each message is either taken or discarded.
        let headBefore = head.pointee.exchange(tailNow, ordering: .sequentiallyConsistent)
        finishTasks(UInt32(truncatingIfNeeded: tailNow) &- UInt32(truncatingIfNeeded: headBefore))
    }
}
