/// Where the replies of a host process go: its replies queue, in batches (one message each).
///
/// While the serving loop is busy (serving the calls it took and running their jobs), the
/// replies wait here and go out together when it is done, or once the oldest has waited
/// ``holdLimit`` (checked between jobs), so the caller's reader is woken once per batch, not
/// once per reply. A reply made while the loop waits for calls (by a method that resumed
/// on another thread) goes out at once. A loopback outbox (no queue) keeps every reply for
/// the caller in this process to take.
final class ActorReplyOutbox: Sendable {
    /// The held replies and whether the loop is busy.
    private struct State {
        /// Replies not yet put, in the order they were made.
        var held: [ActorReply] = []
        /// When the oldest held reply was made (monotonic nanoseconds).
        var oldest: Int64 = 0
        /// Whether the loop is serving (it flushes before it waits).
        var loopIsBusy = true
    }

    /// How long a reply may wait for its batch, in nanoseconds.
    static let holdLimit: Int64 = 50_000

    /// The held replies.
    private let state = LockedBox(State())
    /// Where they go (nil: a loopback outbox, which keeps them).
    private let replies: Queue<[UInt8]>?

    /// An outbox putting on `replies`, or keeping its replies when nil.
    init(replies: Queue<[UInt8]>?) {
        self.replies = replies
    }

    /// Sends `reply`: held while the loop is busy (or kept, in a loopback outbox), else put.
    func send(_ reply: ActorReply) {
        let held = state.withLock { state -> Bool in
            guard state.loopIsBusy || replies == nil else { return false }
            if state.held.isEmpty { state.oldest = Deadline.now.nanoseconds }
            state.held.append(reply)
            return true
        }
        if !held { put([reply]) }
    }

    /// The loop took a call: replies are held again.
    func loopWillServe() {
        state.withLock { $0.loopIsBusy = true }
    }

    /// Puts the held replies if the oldest has waited past ``holdLimit`` (between two jobs).
    func flushIfHeldLong() {
        let due = state.withLock { state -> [ActorReply] in
            guard !state.held.isEmpty, Deadline.now.nanoseconds - state.oldest > Self.holdLimit else { return [] }
            defer { state.held = [] }
            return state.held
        }
        put(due)
    }

    /// Puts the held replies: the loop is about to wait, and replies go out at once until it
    /// serves again.
    func flush() {
        put(state.withLock { state in
            state.loopIsBusy = false
            defer { state.held = [] }
            return state.held
        })
    }

    /// The replies kept by a loopback outbox.
    func take() -> [ActorReply] {
        state.withLock { state in
            defer { state.held = [] }
            return state.held
        }
    }

    /// Puts `batch` on the replies queue as one message; a queue shut down means the parent
    /// is gone or stopping us.
    private func put(_ batch: [ActorReply]) {
        guard let replies, !batch.isEmpty else { return }
        try? replies.put(ActorWireBytes.batch(of: batch))
    }
}
