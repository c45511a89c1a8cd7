/// Who waits for which lock and who holds it, right now (the actual-deadlock graph of
/// parking_lot, Java's `findDeadlockedThreads` and PostgreSQL).
///
/// Built from snapshots of every thread's record. A thread waits for one lock; the lock is held
/// by the thread that acquired it (the detector records that, since ``Lock`` itself is
/// ownerless). Following "waits for → held by" from a thread either ends at a running thread or
/// comes back: a cycle is a deadlock that no timeout inside the cycle will end.
struct WaitForGraph {
    let threads: [ThreadLockState.Snapshot]
    private var holders: [UInt64: Int] = [:]

    init(_ threads: [ThreadLockState.Snapshot]) {
        self.threads = threads
        for (index, thread) in threads.enumerated() {
            for entry in thread.held { holders[entry.id] = index }
        }
    }

    /// The thread that holds `lockID`, if the detector saw it being acquired.
    func holder(of lockID: UInt64) -> ThreadLockState.Snapshot? {
        holders[lockID].map { threads[$0] }
    }

    /// The cycle that `start` is part of, in wait order: each thread waits for a lock that the
    /// next one holds, and the last waits for a lock that the first holds. Nil if `start` is not
    /// waiting or its chain ends at a thread that is not waiting.
    func cycle(through start: ThreadLockState) -> [ThreadLockState.Snapshot]? {
        guard var index = threads.firstIndex(where: { $0.state === start }) else { return nil }
        var path: [Int] = []
        while true {
            path.append(index)
            guard let waiting = threads[index].waiting, let next = holders[waiting.lockID] else { return nil }
            if threads[next].state === start { return path.map { threads[$0] } }
            // A cycle that does not pass through `start`: its own members report it.
            if path.contains(next) { return nil }
            index = next
        }
    }
}
