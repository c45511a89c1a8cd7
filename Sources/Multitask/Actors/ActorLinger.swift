/// How the waiting threads of an actor call — the host's serving loop between calls, and a
/// caller whose call is alone in flight — wait for the next message: they look at the queue
/// for a short while before they sleep. A call's round trip is a few microseconds of work on
/// both sides, longer than the library's adaptive spin (which then learns not to spin at
/// all), so without this both threads slept between messages and every call paid wake-ups
/// of an idle CPU (a call took 80–98 µs on an idle 2-vCPU VM, 16 µs on a busy one, whose
/// CPUs did not idle).
///
/// A caller lingers only when its call is alone in flight: several callers suspend and leave
/// their CPU to each other. The host lingers after every wake-up that served calls: with
/// several callers their calls come a few at a time (5–7 for 8 callers), not in one batch that
/// shares a wake-up, and a host that slept was woken for each of them.
enum ActorLinger {
    /// How long a thread looks at its queue before it sleeps, in nanoseconds: a round trip's
    /// work with room to spare, short enough that an idle host or caller costs little.
    static let window: Int64 = 50_000

    /// The next element of `queue` if one comes within ``window`` (polling, no syscall; the
    /// queue's count is looked at first, which reads two words, where a `tryGet` takes the
    /// consumers' lock and reads the clock for its deadline).
    @inline(__always)
    static func poll<Element>(_ queue: Queue<Element>) throws(QueueError) -> Element? {
        let end = Deadline.now.nanoseconds + window
        repeat {
            for _ in 0..<16 {
                if !queue.isEmpty, let element = try queue.tryGet() { return element }
                CPU.relax()
            }
        } while Deadline.now.nanoseconds < end
        return nil
    }
}

/// Whether a thread lingers (``ActorLinger``) before it sleeps, learnt from the last
/// lingers: after one that found nothing within the window (a slow method, an idle caller)
/// it skips the next 1, 2, 4, … up to 64 chances, so a slow partner costs at most a window
/// in 64 waits; one that found its message makes it linger every time again. (The MPI
/// backend's threads that poll for a reply without yielding learn the same way.)
package struct ActorLingerBudget: Sendable {
    /// Chances left to skip.
    private var skips = 0
    /// How many to skip after the next miss, divided by two.
    private var backoff = 0

    package init() {}

    /// Whether to linger now (a skipped chance counts).
    package mutating func admits() -> Bool {
        guard skips == 0 else {
            skips -= 1
            return false
        }
        return true
    }

    /// Records how a linger ended: with its message (`hit`) or at the window's end.
    package mutating func record(hit: Bool) {
        if hit {
            backoff = 0
        } else {
            backoff = min(max(1, backoff * 2), 64)
            skips = backoff
        }
    }
}
