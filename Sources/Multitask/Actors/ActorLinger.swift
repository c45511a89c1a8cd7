/// How the two waiting threads of an actor call — the host's serving loop between calls and
/// the caller's reply reader while calls are in flight — wait for the next message: they look
/// at the queue for a short while before they sleep. A call's round trip is a few tens of
/// microseconds of work on both sides, longer than the library's adaptive spin (a few
/// microseconds, which then learns not to spin at all), so without this both threads slept
/// between messages and every call paid three wake-ups of an idle CPU (a call took 80–98 µs on
/// an idle 2-vCPU VM, 16 µs on a busy one, whose CPUs did not idle).
enum ActorLinger {
    /// How long a thread looks at its queue before it sleeps, in nanoseconds: a round trip's
    /// work with room to spare, short enough that an idle host or reader costs nothing.
    static let window: Int64 = 50_000

    /// The next element of `queue`: looks for one for ``window`` (polling, no syscall), then
    /// waits with `wait`.
    @inline(__always)
    static func next<Element>(of queue: Queue<Element>, orWait wait: () throws(QueueError) -> Element) throws(QueueError) -> Element {
        let end = Deadline.now.nanoseconds + window
        repeat {
            for _ in 0..<16 {
                if let element = try queue.tryGet() { return element }
                CPU.relax()
            }
        } while Deadline.now.nanoseconds < end
        return try wait()
    }
}
