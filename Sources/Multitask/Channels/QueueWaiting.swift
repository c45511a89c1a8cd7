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
    ///
    /// Puts publish the tail with a release store, so the event count's usual hand-shake
    /// (a sequentially consistent store of the state, then the load of the word) does not
    /// hold by itself. The producer lock completes it: a consumer about to sleep, once it has
    /// set the sleeper bit, does a read-modify-write on the producer lock's word (adding 0)
    /// before it reads the tail again. Every change of that word is a read-modify-write
    /// (acquire and release), and such changes are totally ordered, each reading the one
    /// before. If ours comes before a put's unlock, the unlock reads it (or a later change):
    /// the sleeper bit happens before the put's `signal`, which then wakes us. If it comes
    /// after, it reads the unlock (or a later change): the tail store happens before our
    /// re-read, which then sees the message. Only a consumer going to sleep pays for this.
    func waitForMessage(after consumed: UInt32, until deadline: Deadline?) throws(QueueError) {
        // Closure literals, not closure values: a value's context is allocated on every wait.
        if SpinPolicy.signal.spin(until: { self.hasNews(after: consumed) }) { return }
        let arrived = notEmpty.wait(until: deadline, spin: .none) {
            self.producerLock.word.add(0)
            return self.hasNews(after: consumed)
        }
        if !arrived { throw .empty }
    }

    /// Whether a message was published or taken since `consumed`, or the queue ended.
    @inline(__always)
    private func hasNews(after consumed: UInt32) -> Bool {
        publishedCount != consumed || consumedCount != consumed || isEnded
    }

    /// Waits until `finished` holds: a short spin, then sleeps on `tasksDoneEvent`;
    /// `false` if `deadline` passed first (see ``join(until:)``).
    func waitForTasksDone(until deadline: Deadline?, _ finished: () -> Bool) -> Bool {
        tasksDoneEvent.wait(until: deadline, for: finished)
    }
}
