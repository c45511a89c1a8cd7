import Synchronization

extension ListFifoCore {
    // MARK: Room of a bounded queue

    /// Takes one unit of room of a bounded queue, waiting until `deadline` (nil: forever).
    func takeRoom(until deadline: Deadline?) throws(ThreadQueueError) {
        while true {
            if isShutDown { throw .shutDown }
            var free = room.pointee.load(ordering: .relaxed)
            while free > 0 {
                let (taken, current) = room.pointee.weakCompareExchange(
                    expected: free, desired: free - 1,
                    successOrdering: .sequentiallyConsistent, failureOrdering: .relaxed)
                if taken { return }
                free = current
            }
            if let deadline, deadline.hasPassed { throw .full }
            _ = notFull.wait(until: deadline) {
                room.pointee.load(ordering: .sequentiallyConsistent) > 0
                    || tail.pointee.load(ordering: .sequentiallyConsistent) & Self.closedBit != 0
            }
        }
    }

    /// Gives back one unit of room of a bounded queue and wakes sleeping putters.
    func giveRoom() {
        room.pointee.add(1, ordering: .sequentiallyConsistent)
        notFull.signal()
    }

    // MARK: Tasks

    /// Elements ever put (claimed by a producer), from the tail.
    private var putCount: Int { Self.elements(before: tail.pointee.load(ordering: .sequentiallyConsistent)) }

    /// Finishes one task: Python's `task_done()`. Stops the program when called more often
    /// than elements were put.
    func taskDone() {
        var done = doneCount.pointee.load(ordering: .sequentiallyConsistent)
        while true {
            guard done < putCount else {
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
        return putCount - done
    }

    // MARK: Snapshots

    /// The number of elements held (a snapshot; never negative, never above a bound).
    var countSnapshot: Int {
        // The head first: the tail read after it is at least as far.
        let taken = Self.elements(before: head.pointee.load(ordering: .acquiring))
        let count = Self.elements(before: tail.pointee.load(ordering: .acquiring)) - taken
        return maxSize > 0 ? min(max(count, 0), maxSize) : max(count, 0)
    }

    /// Whether the queue was shut down.
    var isShutDown: Bool { tail.pointee.load(ordering: .acquiring) & Self.closedBit != 0 }

    // MARK: Shutdown

    /// Marks the queue shut down: from now on every put throws, and gets throw once the
    /// queue is empty. To discard the elements left, take them out with ``takeForDiscard()``
    /// and ``endGet(_:)``, then call ``endShutdown(discarded:)``; otherwise call it at once.
    func beginShutdown() {
        checkProcess()
        tail.pointee.bitwiseOr(Self.closedBit, ordering: .sequentiallyConsistent)
    }

    /// Claims the slot of the element at the head, whether or not the queue is shut down; nil
    /// when it is empty. For discarding (shutdown, the owner's deinit): move the element out,
    /// then call ``endGet(_:)``.
    func takeForDiscard() -> FifoSlot? {
        guard case .claimed(let slot) = claimHead() else { return nil }
        layout.waitWritten(slot.offset, in: slot.block)
        return slot
    }

    /// Finishes the tasks of the `discarded` elements (never more than were put) and wakes
    /// every waiter.
    func endShutdown(discarded: Int) {
        if discarded > 0 {
            var done = doneCount.pointee.load(ordering: .sequentiallyConsistent)
            while true {
                let (exchanged, original) = doneCount.pointee.compareExchange(
                    expected: done, desired: min(done + discarded, putCount), ordering: .sequentiallyConsistent)
                if exchanged { break }
                done = original
            }
        }
        notEmpty.signalAlways()
        notFull.signalAlways()
        allTasksDone.signalAlways()
    }
}
