import Testing
@testable import Multitask

@Suite("PoolWatchdog")
struct PoolWatchdogTests {
    static let limit = PoolWatchdog.stuckLimitNanoseconds

    static func worker(serving: Bool = true, started: UInt64 = 0, finished: UInt64 = 0, startedAt: Int64 = 0,
                       firstUnanswered: UInt64 = 1, unanswered: Int = 0) -> PoolWatchdog.Observation {
        PoolWatchdog.Observation(isServing: serving, started: started, finished: finished, startNanoseconds: startedAt,
                                 firstUnanswered: firstUnanswered, unanswered: unanswered)
    }

    @Test("a serving worker that runs its task, or has none, is never stuck")
    func busyOrIdleWorkerIsFine() {
        var progress = PoolWatchdog.Progress(since: 0)
        #expect(PoolWatchdog.stuckVerdict(Self.worker(started: 1, unanswered: 1), progress: &progress, now: 10 * Self.limit) == .fine)
        #expect(PoolWatchdog.stuckVerdict(Self.worker(), progress: &progress, now: 10 * Self.limit) == .fine)
    }

    @Test("a worker idle with work waiting is killed after the stuck limit without progress, not before")
    func idleWithWorkIsKilledAfterLimit() {
        var progress = PoolWatchdog.Progress(since: 0)
        let idle = Self.worker(started: 2, finished: 2, firstUnanswered: 3, unanswered: 4)
        #expect(PoolWatchdog.stuckVerdict(idle, progress: &progress, now: 1_000) == .recheck(at: 1_000 + Self.limit))
        #expect(progress == PoolWatchdog.Progress(started: 2, replied: 3, since: 1_000))
        #expect(PoolWatchdog.stuckVerdict(idle, progress: &progress, now: Self.limit) == .recheck(at: 1_000 + Self.limit))
        #expect(PoolWatchdog.stuckVerdict(idle, progress: &progress, now: 1_000 + Self.limit) == .killAsStuck)
    }

    @Test("progress (a task started or a reply received) restarts the stuck clock")
    func progressRestartsTheClock() {
        var progress = PoolWatchdog.Progress(started: 2, replied: 3, since: 0)
        let moved = Self.worker(started: 2, finished: 2, firstUnanswered: 4, unanswered: 3)
        #expect(PoolWatchdog.stuckVerdict(moved, progress: &progress, now: Self.limit) == .recheck(at: 2 * Self.limit))
        #expect(progress.since == Self.limit)
    }

    @Test("a worker that never starts serving is killed as stuck after the limit")
    func workerNotServingIsKilled() {
        var progress = PoolWatchdog.Progress(since: 500)
        let starting = Self.worker(serving: false)
        #expect(PoolWatchdog.stuckVerdict(starting, progress: &progress, now: 500) == .recheck(at: 500 + Self.limit))
        #expect(PoolWatchdog.stuckVerdict(starting, progress: &progress, now: 500 + Self.limit) == .killAsStuck)
    }

    @Test("the running task is killed once its timeout has passed since it started, and names its number")
    func runningTaskPastTimeoutIsKilled() {
        let running = Self.worker(started: 5, finished: 4, startedAt: 1_000, firstUnanswered: 5, unanswered: 2)
        let timeouts: [Duration?] = [.milliseconds(2), nil]
        #expect(PoolWatchdog.timeoutVerdict(running, timeouts: timeouts, now: 2_000) == .recheck(at: 2_001_000))
        #expect(PoolWatchdog.timeoutVerdict(running, timeouts: timeouts, now: 2_001_000) == .killForTimeout(task: 5))
    }

    @Test("a queued task with a timeout is rechecked no earlier than its timeout from now; untimed tasks need no check")
    func queuedTaskTimeoutIsRechecked() {
        let running = Self.worker(started: 5, finished: 4, startedAt: 0, firstUnanswered: 5, unanswered: 2)
        #expect(PoolWatchdog.timeoutVerdict(running, timeouts: [nil, .seconds(1)], now: 7) == .recheck(at: 1_000_000_007))
        #expect(PoolWatchdog.timeoutVerdict(running, timeouts: [nil, nil], now: 7) == .fine)
    }

    @Test("a finished task whose reply has not arrived is not timed out")
    func finishedTaskIsNotTimedOut() {
        let done = Self.worker(started: 5, finished: 5, startedAt: 0, firstUnanswered: 5, unanswered: 1)
        #expect(PoolWatchdog.timeoutVerdict(done, timeouts: [.nanoseconds(1)], now: 1_000) == .fine)
    }

    @Test("replacements wait only from the early-death limit on, doubling from 0.1 s up to 10 s")
    func replacementBackoffDoublesToACap() {
        let limit = PoolWatchdog.earlyDeathLimit
        #expect(PoolWatchdog.replacementDelayNanoseconds(earlyDeaths: limit - 1) == 0)
        #expect(PoolWatchdog.replacementDelayNanoseconds(earlyDeaths: limit) == 100_000_000)
        #expect(PoolWatchdog.replacementDelayNanoseconds(earlyDeaths: limit + 1) == 200_000_000)
        #expect(PoolWatchdog.replacementDelayNanoseconds(earlyDeaths: limit + 50) == 10_000_000_000)
    }
}
