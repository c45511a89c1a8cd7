import SystemPackage

/// The wait of one library thread that serves other threads and watches descriptors: an
/// epoll set, an eventfd doorbell that other threads ring, and a timer wake-up.
///
/// The process supervisor and every pool dispatcher run one each. Descriptors are watched
/// level-triggered under a caller-chosen tag (any value but ``doorbellTag``); each
/// ``wait(timeoutMilliseconds:_:)`` drains the doorbell itself and hands the owner only the
/// tags of its own descriptors, so a loop reads as "wait, then dispatch on the tag":
///
///     let loop = try EventLoop()
///     try loop.watch(socket, tag: 7)
///     while running {
///         let rang = loop.wait(timeoutMilliseconds: -1) { tag in handle(tag) }
///         if rang { takeSubmissions() }
///     }
///
/// The epoll wait runs in the C shim, which lets go of the ``ForkGate`` while it blocks; the
/// thread itself joins and leaves the gate (``ForkGate/joinCurrentThread()``).
struct EventLoop: Sendable {
    /// The tag under which the doorbell is watched; owners must not use it.
    static let doorbellTag = UInt64.max

    private let epoll: Epoll
    private let doorbell: EventCounter

    /// Creates the epoll set and the doorbell (both close-on-exec). The corresponding C
    /// functions are `epoll_create1` and `eventfd`.
    init() throws(Errno) {
        epoll = try Epoll()
        do throws(Errno) {
            doorbell = try EventCounter()
            try epoll.add(doorbell.fd, tag: Self.doorbellTag)
        } catch {
            epoll.close()
            throw error
        }
    }

    /// The loop's own descriptors (the epoll set and the doorbell), for a fork child to close.
    var descriptors: [CInt] { [epoll.fd, doorbell.fd] }

    /// Wakes the loop's thread from its wait (or makes its next wait return at once); safe
    /// from any thread. The corresponding C function is `write` on the eventfd.
    func ring() { doorbell.ring() }

    /// Starts watching `descriptor` for readability, reported as `tag`. The corresponding C
    /// function is `epoll_ctl(EPOLL_CTL_ADD)`.
    func watch(_ descriptor: CInt, tag: UInt64) throws(Errno) {
        usageCheck(tag != Self.doorbellTag, "EventLoop: the tag \(tag) is the doorbell's")
        try epoll.add(descriptor, tag: tag)
    }

    /// Watches `descriptor` for readability, and for writability too when `writable` (a
    /// non-blocking writer with unsent bytes). The corresponding C function is
    /// `epoll_ctl(EPOLL_CTL_MOD)`.
    func modify(_ descriptor: CInt, tag: UInt64, writable: Bool) throws(Errno) {
        try epoll.modify(descriptor, tag: tag, writable: writable)
    }

    /// Stops watching `descriptor`. The corresponding C function is `epoll_ctl(EPOLL_CTL_DEL)`.
    func unwatch(_ descriptor: CInt) { epoll.remove(descriptor) }

    /// Waits until a watched descriptor is ready, the doorbell rings, or `timeoutMilliseconds`
    /// pass (-1: no timer, 0: just look), then calls `handle` with each ready descriptor's tag.
    /// Returns whether the doorbell rang (it is drained). The corresponding C function is
    /// `epoll_wait`.
    @discardableResult
    func wait(timeoutMilliseconds: CInt = -1, _ handle: (UInt64) -> Void) -> Bool {
        var rang = false
        for tag in epoll.wait(timeoutMilliseconds: timeoutMilliseconds) {
            if tag == Self.doorbellTag {
                doorbell.drain()
                rang = true
            } else {
                handle(tag)
            }
        }
        return rang
    }

    /// The milliseconds an epoll wait may sleep to wake by `deadlineNanoseconds`
    /// (`CLOCK_MONOTONIC`; nil: no timer, -1), at least 1 so that a due time is never polled
    /// in a busy loop, rounded up so that the wait never ends early.
    static func timeoutMilliseconds(until deadlineNanoseconds: Int64?, now: Int64) -> CInt {
        guard let deadlineNanoseconds else { return -1 }
        return CInt(clamping: max(1, (deadlineNanoseconds - now + 999_999) / 1_000_000))
    }

    /// Closes the epoll set and the doorbell.
    func close() {
        epoll.close()
        doorbell.close()
    }
}
