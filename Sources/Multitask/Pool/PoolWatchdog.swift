/// The process pool's watchdog decisions: when a worker is stuck, when its running task has
/// passed its timeout, how long to wait before replacing workers that keep dying early.
///
/// Pure functions of what the parent observes (a worker's shared ``PoolWorkerStatus`` counters,
/// the tasks it was sent, the clock), so that they can be checked without processes; the
/// dispatcher acts on them (kills, replaces, sleeps until the next due time).
enum PoolWatchdog {
    /// A worker that is not serving yet, or idle while work waits for it, and makes no
    /// progress for this long is presumed stuck on a lock that fork copied while another parent
    /// thread held it (see ``PoolWarmUp``): it is killed and replaced, and its tasks, none of
    /// which had started, go to other workers.
    static let stuckLimitNanoseconds: Int64 = 10_000_000_000

    /// Workers in a row that end before their first task could start (an initializer that
    /// crashes, a failure at start-up) from which on queued tasks fail instead of waiting for a
    /// worker that never comes, and replacements slow down.
    static let earlyDeathLimit = 3

    /// What the parent sees of one worker at one instant.
    struct Observation: Equatable {
        /// Whether the worker has finished its start-up and takes tasks.
        var isServing: Bool
        /// The worker's count of tasks started and finished (it numbers its tasks from 1).
        var started: UInt64
        var finished: UInt64
        /// When the running task started (`CLOCK_MONOTONIC` nanoseconds).
        var startNanoseconds: Int64
        /// The worker's number of the oldest task sent to it and not answered.
        var firstUnanswered: UInt64
        /// How many tasks were sent to it and not answered.
        var unanswered: Int
    }

    /// The last progress seen of a worker (tasks started, replies received) and since when.
    struct Progress: Equatable {
        var started: UInt64 = 0
        var replied: UInt64 = 0
        /// When this progress was first seen (`CLOCK_MONOTONIC` nanoseconds).
        var since: Int64
    }

    /// What to do about a worker.
    enum Verdict: Equatable {
        /// Nothing to watch now.
        case fine
        /// Look again at this time (`CLOCK_MONOTONIC` nanoseconds).
        case recheck(at: Int64)
        /// Kill it as stuck.
        case killAsStuck
        /// Kill it: the task it runs, `task` (its number), passed its timeout.
        case killForTimeout(task: UInt64)
    }

    /// Whether `worker` is stuck: not serving yet, or idle with tasks waiting, and no progress
    /// for ``stuckLimitNanoseconds``. Updates `progress` with what is seen now.
    static func stuckVerdict(_ worker: Observation, progress: inout Progress, now: Int64) -> Verdict {
        let idleWithWork = worker.unanswered > 0 && worker.started == worker.finished
        guard !worker.isServing || idleWithWork else { return .fine }
        if worker.started != progress.started || worker.firstUnanswered != progress.replied {
            progress = Progress(started: worker.started, replied: worker.firstUnanswered, since: now)
        }
        let due = progress.since + stuckLimitNanoseconds
        return now >= due ? .killAsStuck : .recheck(at: due)
    }

    /// Whether the task `worker` runs passed its timeout; `timeouts` are those of its
    /// unanswered tasks, oldest first (nil: none). A task not started yet is due no earlier
    /// than its timeout from now.
    static func timeoutVerdict(_ worker: Observation, timeouts: some Sequence<Duration?>, now: Int64) -> Verdict {
        var earliest: Int64?
        for (offset, timeout) in timeouts.enumerated() {
            guard let timeout else { continue }
            let number = worker.firstUnanswered + UInt64(offset)
            let limit = nanoseconds(timeout)
            if number == worker.started && worker.started > worker.finished {
                let deadline = worker.startNanoseconds + limit
                if now >= deadline { return .killForTimeout(task: number) }
                earliest = min(earliest ?? .max, deadline)
            } else if number > worker.started {
                earliest = min(earliest ?? .max, now + limit)
            }
        }
        return earliest.map { .recheck(at: $0) } ?? .fine
    }

    /// How long to wait before starting a worker after `earlyDeaths` workers in a row ended
    /// before serving: nothing below ``earlyDeathLimit``, then 0.1 s doubling up to 10 s.
    static func replacementDelayNanoseconds(earlyDeaths: Int) -> Int64 {
        guard earlyDeaths >= earlyDeathLimit else { return 0 }
        return min(10_000_000_000, Int64(100_000_000) << min(earlyDeaths - earlyDeathLimit, 7))
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }
}
