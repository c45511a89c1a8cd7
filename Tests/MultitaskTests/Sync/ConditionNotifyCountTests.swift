import Glibc
import Testing
@testable import Multitask

/// Waiters that loop on a condition, counting the waits that ended, until told to stop.
///
/// The counters live in the condition's placement (shared memory for a shared condition, so
/// that a process waiter counts too) and are guarded by the condition's lock.
private struct NotifyRig: Sendable {
    let condition: Condition
    let woken: SharedValue<Int>
    let stop: SharedValue<Int>

    init(placement: Placement) throws {
        condition = placement == .shared ? try Condition(placement: .shared) : Condition()
        woken = try SharedValue(0, lock: false)
        stop = try SharedValue(0, lock: false)
    }

    /// Waits until stopped; each wait that ends counts once.
    func waitLoop() {
        condition.withLock {
            while true {
                condition.wait()
                if stop.load() != 0 { return }
                woken.store(woken.load() + 1)
            }
        }
    }

    /// Waits until `waiters` waits are under way, none of them picked by a notify.
    func allWaiting(_ waiters: Int) -> Bool {
        eventually(within: .seconds(20)) { condition.withLock { condition.unpickedWaiters == waiters } }
    }

    /// `rounds` rounds of `notify(count:)` with `waiters` waiting; returns the rounds in which
    /// the number of ended waits was not exactly `count` (empty when all were exact).
    func run(rounds: Int, waiters: Int, count: Int) -> [String] {
        var wrong: [String] = []
        for round in 1...rounds {
            guard allWaiting(waiters) else { return wrong + ["round \(round): the waiters never all waited"] }
            let before = condition.withLock {
                let before = woken.load()
                condition.notify(count: count)
                return before
            }
            // Once every waiter waits again, every wait this notify ended has been counted.
            guard allWaiting(waiters) else { return wrong + ["round \(round): the waiters never all waited again"] }
            let ended = condition.withLock { woken.load() } - before
            if ended != count { wrong.append("round \(round): \(ended) waits ended") }
        }
        return wrong
    }

    func stopAll() {
        condition.withLock {
            stop.store(1)
            condition.notifyAll()
        }
    }
}

@Suite("Condition notify(count:) is exact", .serialized)
struct ConditionNotifyCountTests {
    @Test("notify(count:) ends exactly count waits of process-local threads (200 rounds)",
          .timeLimit(.minutes(2)), arguments: [(waiters: 2, count: 1), (waiters: 3, count: 2)])
    func exactAmongThreads(waiters: Int, count: Int) throws {
        let rig = try NotifyRig(placement: .local)
        let threads = (0..<waiters).map { _ in Thread(daemon: true) { rig.waitLoop() } }
        threads.forEach { $0.start() }
        let wrong = rig.run(rounds: 200, waiters: waiters, count: count)
        rig.stopAll()
        for t in threads { #expect(t.join(timeout: .seconds(20))) }
        #expect(wrong.count == 0, "\(wrong.count) rounds were not exact: \(wrong.prefix(5))")
    }

    @Test("notify() on a shared condition ends exactly one wait of a thread waiter and a process waiter (200 rounds)",
          .timeLimit(.minutes(2)))
    func exactAmongThreadAndProcess() throws {
        let rig = try NotifyRig(placement: .shared)
        let child = Multitask.Process { rig.waitLoop() }
        try child.start()
        let thread = Thread(daemon: true) { rig.waitLoop() }
        thread.start()
        let wrong = rig.run(rounds: 200, waiters: 2, count: 1)
        rig.stopAll()
        #expect(thread.join(timeout: .seconds(20)))
        #expect(joinOrKill(child))
        #expect(child.exitCode == 0)
        #expect(wrong.count == 0, "\(wrong.count) rounds were not exact: \(wrong.prefix(5))")
    }

    @Test("notify(count:) above the number of waiters ends every wait and leaves nothing for later waiters")
    func surplusIsNotKept() throws {
        let rig = try NotifyRig(placement: .local)
        let first = Thread(daemon: true) { rig.waitLoop() }
        first.start()
        #expect(rig.allWaiting(1))
        rig.condition.withLock { rig.condition.notify(count: 5) }
        // The surplus of 4 is not saved up: a second waiter is not woken by it.
        let second = Thread(daemon: true) { rig.waitLoop() }
        second.start()
        #expect(rig.allWaiting(2))
        #expect(rig.condition.withLock { rig.woken.load() } == 1)
        rig.stopAll()
        #expect(first.join(timeout: .seconds(20)) && second.join(timeout: .seconds(20)))
    }
}
