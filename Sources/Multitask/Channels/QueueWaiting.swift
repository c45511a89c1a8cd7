/// The three waits of a queue, kept together: a producer of a bounded queue waiting for
/// room, a consumer waiting for a message, and `join` waiting for every task to be done.
/// Each is one ``EventCount/wait(until:spin:for:)`` on the park core: it spins briefly, then
/// sleeps on its event count until its condition holds, the queue ends, or the deadline passes.
extension QueueStorage {
    /// Waits for room in a bounded queue (or its end); throws `.full` once `deadline` passed.
    func waitForRoom(until deadline: Deadline?) throws(QueueError) {
        if !notFull.wait(until: deadline, for: { self.count < self.maxSize || self.isEnded }) { throw .full }
    }

    /// Waits for a message after `consumed` (or the queue's end); throws `.empty` once
    /// `deadline` passed.
    func waitForMessage(after consumed: UInt32, until deadline: Deadline?) throws(QueueError) {
        // A closure literal, not a closure value: a value's context is allocated on every wait.
        let arrived = notEmpty.wait(until: deadline) {
            self.publishedCount != consumed || self.consumedCount != consumed || self.isEnded
        }
        if !arrived { throw .empty }
    }

    /// Waits until `finished` holds: a short spin, then sleeps on `tasksDoneEvent`;
    /// `false` if `deadline` passed first (see ``join(until:)``).
    func waitForTasksDone(until deadline: Deadline?, _ finished: () -> Bool) -> Bool {
        tasksDoneEvent.wait(until: deadline, for: finished)
    }
}
