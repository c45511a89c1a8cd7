/// The three waits of a queue, kept together: a producer of a bounded queue waiting for
/// room, a consumer waiting for a message, and `join` waiting for every task to be done.
/// Each spins briefly, then sleeps on its event count until its condition holds, the queue
/// ends, or the deadline passes.
extension QueueStorage {
    /// Waits for room in a bounded queue (or its end); throws `.full` once `deadline` passed.
    func waitForRoom(until deadline: Deadline?) throws(QueueError) {
        let roomOrClosed = { self.count < self.maxSize || self.isEnded }
        if Spin.until(budget: Spin.signalBudget, roomOrClosed) { return }
        if !notFull.wait(until: deadline, unless: roomOrClosed) { throw .full }
    }

    /// Waits for a message after `consumed` (or the queue's end); throws `.empty` once
    /// `deadline` passed.
    func waitForMessage(after consumed: UInt32, until deadline: Deadline?) throws(QueueError) {
        let arrived = { self.publishedCount != consumed || self.consumedCount != consumed || self.isEnded }
        if Spin.until(budget: Spin.signalBudget, arrived) { return }
        if !notEmpty.wait(until: deadline, unless: arrived) { throw .empty }
    }

    /// Waits until `finished` holds: a short spin, then sleeps on `tasksDoneEvent`;
    /// `false` if `deadline` passed first (see ``join(until:)``).
    func waitForTasksDone(until deadline: Deadline?, _ finished: () -> Bool) -> Bool {
        while !finished() {
            if Spin.until(budget: Spin.signalBudget, finished) { return true }
            if !tasksDoneEvent.wait(until: deadline, unless: finished) { return finished() }
        }
        return true
    }
}
