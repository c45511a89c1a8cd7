/// The replies of callers on the system's ``ActorCallerExecutor``: its thread reads them
/// while it is awake, and hands the reading back to the reader before it sleeps.
extension ActorHost {
    /// Whether some caller on the caller executor waits suspended for its reply here.
    var hasCallersOnExecutor: Bool { callersOnExecutor > 0 }

    /// How many callers on the caller executor wait suspended for their reply here.
    var callersOnExecutor: Int { state.withLock { $0.suspendedOnExecutor } }

    /// What reading a replies queue came to.
    enum RepliesRead {
        /// A batch was taken and handed to its callers.
        case delivered
        /// None was there (or came within the wait).
        case none
        /// The queue was shut down or brought bytes that are no replies: its generation is
        /// over, and its exit fails the calls.
        case ended
    }

    /// Takes a batch of replies from `replies` (of generation `generation`) if one is there,
    /// or when `waiting` the next one within ``ActorCallerExecutor/waitLimit``, and hands it
    /// to its callers. Bytes that are no batch of replies mean a broken host: its process is
    /// killed, so its calls fail with its exit.
    func deliverReplies(from replies: Queue<[UInt8]>, generation: Int, waiting: Bool = false) -> RepliesRead {
        let batch: [ActorReply]
        do {
            guard let taken = try Self.takeReplies(from: replies, waiting: waiting) else { return .none }
            batch = taken
        } catch is QueueError {
            return .ended
        } catch {
            state.withLock { $0.generation?.number == generation ? $0.generation?.process : nil }?.kill()
            return .ended
        }
        deliver(batch)
        return .delivered
    }

    /// The next batch of replies on `replies`: waited for when `waiting` (nil if none came
    /// within ``ActorCallerExecutor/waitLimit``), else nil if none is there (its count is
    /// looked at first, which reads two words, where a `tryGet` takes the consumers' lock).
    /// Throws the queue's error when it was shut down, and ``ActorSystemError`` when the
    /// bytes are no batch of replies.
    static func takeReplies(from replies: Queue<[UInt8]>, waiting: Bool = false) throws -> [ActorReply]? {
        let bytes: [UInt8]
        if waiting {
            do {
                bytes = try replies.get(timeout: ActorCallerExecutor.waitLimit)
            } catch .empty {
                return nil
            }
        } else {
            guard !replies.isEmpty, let taken = try replies.tryGet() else { return nil }
            bytes = taken
        }
        return try ActorWireBytes.replies(inBatch: bytes)
    }

    /// The caller executor's thread goes to sleep: its callers waiting here wait for the
    /// reader from now on, which is told so.
    func handOverToReader() {
        let generation = state.withLock { state -> ActorHostGeneration? in
            guard state.suspendedOnExecutor > 0 else { return nil }
            for (id, var call) in state.pending where call.readByExecutor {
                call.readByExecutor = false
                state.pending[id] = call
            }
            state.suspended += state.suspendedOnExecutor
            state.suspendedOnExecutor = 0
            return state.generation
        }
        generation?.callersWait.set()
    }
}
