/// `JoinableQueue`'s task counting: the number of tasks done lives in one shared word and
/// is never more than the messages published, so the unfinished count is derived, and a
/// crash cannot skew it.
extension QueueStorage {
    /// Records one finished task; returns `false` if there was no unfinished task.
    func taskDone() -> Bool { finishTasks(1) == 1 }

    /// Records up to `count` finished tasks, never more than were put; returns how many.
    @discardableResult
    func finishTasks(_ count: UInt32) -> UInt32 {
        var done = tasksDoneWord.load()
        while true {
            let recorded = min(count, publishedCount &- done)
            guard recorded > 0 else { return 0 }
            let (exchanged, original) = tasksDoneWord.pointer.pointee.compareExchange(
                expected: done, desired: done &+ recorded, ordering: .sequentiallyConsistent)
            if exchanged {
                tasksDoneEvent.signal()
                return recorded
            }
            done = original
        }
    }

    /// Messages put and not yet marked done.
    var unfinishedTaskCount: Int { Int(publishedCount &- tasksDoneWord.pointer.pointee.load(ordering: .sequentiallyConsistent)) }

    /// Waits until every message put so far has been marked done; `false` on timeout.
    func join(until deadline: Deadline?) -> Bool {
        waitForTasksDone(until: deadline) { self.unfinishedTaskCount == 0 }
    }
}
