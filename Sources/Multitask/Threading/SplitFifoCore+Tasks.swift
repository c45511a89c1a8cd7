import Synchronization

extension SplitFifoCore {
    // MARK: Tasks

    /// Finishes one task: Python's `task_done()`. Stops the program when called more often
    /// than elements were put.
    func taskDone() {
        var done = doneCount.pointee.load(ordering: .sequentiallyConsistent)
        while true {
            guard done < putCount.pointee.load(ordering: .sequentiallyConsistent) else {
                fatalError("\(queueType).taskDone(): called more times than there were elements put")
            }
            let (exchanged, original) = doneCount.pointee.compareExchange(
                expected: done, desired: done + 1, ordering: .sequentiallyConsistent)
            if exchanged { break }
            done = original
        }
        allTasksDone.signal()
    }

    /// Waits until every element put has been marked done, or `deadline` passes; returns
    /// whether they all were.
    func join(until deadline: Deadline?) -> Bool {
        checkProcess()
        return allTasksDone.wait(until: deadline, spin: .none) { unfinishedTaskCount == 0 }
    }

    /// Elements put and not yet marked done (a snapshot).
    var unfinishedTaskCount: Int {
        let done = doneCount.pointee.load(ordering: .sequentiallyConsistent)
        return putCount.pointee.load(ordering: .sequentiallyConsistent) - done
    }

    // MARK: Snapshots

    /// The number of elements held (a snapshot; never negative).
    var countSnapshot: Int {
        let taken = takeCount.pointee.load(ordering: .acquiring)
        let count = putCount.pointee.load(ordering: .acquiring) - taken
        return maxSize > 0 ? min(count, maxSize) : count
    }

    /// Whether the queue was shut down.
    var isShutDown: Bool { closed.pointee.load(ordering: .acquiring) }
}

extension SplitFifoCore {
    // MARK: Shutdown

    /// Marks the queue shut down, with the put lock held (so no put completes after it) and,
    /// when `immediate`, the take lock too. Returns with those locks held and how many
    /// elements to discard (all of them when `immediate`, else none): take them out with
    /// ``discardSlot()``, then call ``endShutdown(immediate:discarded:)``.
    func beginShutdown(immediate: Bool) -> Int {
        checkProcess()
        _ = putLock.lock(until: nil)
        closed.pointee.store(true, ordering: .sequentiallyConsistent)
        guard immediate else { return 0 }
        _ = takeLock.lock(until: nil)
        return countSnapshot
    }

    /// Finishes the tasks of the `discarded` elements, unlocks, wakes every waiter.
    func endShutdown(immediate: Bool, discarded: Int) {
        if discarded > 0 { doneCount.pointee.add(discarded, ordering: .sequentiallyConsistent) }
        if immediate { _ = takeLock.unlock() }
        _ = putLock.unlock()
        notEmpty.signalAlways()
        notFull.signalAlways()
        allTasksDone.signalAlways()
    }
}
