import SystemPackage

/// The receiving half of a ``Connection``: its frames (``FrameHeader/connection``: an 8-byte
/// little-endian length, then the payload) come through the shared ``FrameBuffer``, which
/// refuses a length over the limit before allocating, lets memory follow the bytes that
/// arrived, and never reports half a frame. What is the connection's own is here:
///
/// - Socket reads: waiting, a receiver polls briefly before sleeping in the kernel (see
///   ``receiveSome(into:from:waiting:spinBudget:)``); ``pump(from:limit:)`` never waits.
/// - Descriptors that arrive with the bytes (`SCM_RIGHTS`, see
///   ``Connection/sendDescriptor(_:)``) are kept in arrival order, at most
///   ``maximumHeldDescriptors`` of them: a peer that attaches more gets them closed at once,
///   so it cannot make this process run out of descriptors. A descriptor message takes the
///   first one that is the file it names, closing those before it; those never taken are
///   closed with the reader.
///
/// Not thread-safe: the connection serializes receivers.
final class ConnectionReader {
    /// The frames as they arrive; frames up to its capacity (64 KiB) are decoded in place.
    private let frames = FrameBuffer(framing: .connection)
    /// Set by a receive that lost descriptors; every later read throws it.
    private var failure: ConnectionError?
    /// Descriptors received and not taken yet, oldest first (owned here).
    private var descriptors: [CInt] = []
    /// The most received descriptors kept waiting for ``takeDescriptor(where:)``.
    static let maximumHeldDescriptors = 16

    init() {}

    deinit {
        for fd in descriptors { _ = try? FileDescriptor(rawValue: fd).close() }
    }

    /// Whether bytes or descriptors already taken from the socket wait here: another process
    /// sharing the socket would not see them.
    var hasReadAhead: Bool { frames.hasReadAhead || !descriptors.isEmpty }

    /// The oldest received descriptor for which `wanted` holds; the caller owns it. Those
    /// received before it came with other messages (a peer may attach descriptors to any
    /// message) and are closed; nil, with every held descriptor closed, if none holds.
    func takeDescriptor(where wanted: (CInt) -> Bool) -> CInt? {
        while !descriptors.isEmpty {
            let fd = descriptors.removeFirst()
            if wanted(fd) { return fd }
            _ = try? FileDescriptor(rawValue: fd).close()
        }
        return nil
    }

    /// Keeps what arrived with a receive, up to ``maximumHeldDescriptors``; closes the rest.
    private func hold(_ arrived: UnsafeBufferPointer<CInt>) {
        for fd in arrived {
            if descriptors.count < Self.maximumHeldDescriptors {
                descriptors.append(fd)
            } else {
                _ = try? FileDescriptor(rawValue: fd).close()
            }
        }
    }

    // MARK: Frames
    //
    // Each source closure captures the reader `unowned(unsafe)`: the reader is `self` of the
    // running method, so it outlives the call, and a strong capture cost a retain and a
    // release of the reader on every frame (seen in the pipe benchmark's profile).

    /// Waits for the length of the next frame (unless it was read already) and returns it; it
    /// is at most `limit`.
    func nextLength(from socket: StreamSocket, limit: Int, spinBudget: Int64) throws(ConnectionError) -> Int {
        if let failure { throw failure }
        let length = try frames.nextLength(limit: limit) { [unowned(unsafe) self] (target) throws(ConnectionError) in
            // Invariant: `self` is alive for the whole call (see above).
            try self.receiveSome(into: target, from: socket, waiting: true, spinBudget: spinBudget)
        }
        return length!
    }

    /// Waits for the whole current frame and calls `body` with its payload. The frame is
    /// consumed even when `body` throws, so the next one stays intact.
    func withPayload<Result>(
        from socket: StreamSocket, limit: Int, spinBudget: Int64,
        _ body: (UnsafeRawBufferPointer) throws(ConnectionError) -> Result
    ) throws(ConnectionError) -> Result {
        if let failure { throw failure }
        let result = try frames.withFrame(limit: limit, from: { [unowned(unsafe) self] (target) throws(ConnectionError) in
            // Invariant: `self` is alive for the whole call (see above).
            try self.receiveSome(into: target, from: socket, waiting: true, spinBudget: spinBudget)
        }, body)
        // A waiting source never runs dry: the frame was whole.
        return result!
    }

    /// Drops the current frame (its length was read), reading the rest of its payload through
    /// the buffer: no allocation for its length.
    func skipPayload(from socket: StreamSocket) throws(ConnectionError) {
        try frames.skipFrame { [unowned(unsafe) self] (target) throws(ConnectionError) in
            // Invariant: `self` is alive for the whole call (see above).
            try self.receiveSome(into: target, from: socket, waiting: true, spinBudget: 0)
        }
    }

    /// Takes what the socket holds, without blocking, and returns whether a receive would
    /// return at once: a whole frame is here, or the stream ended or failed.
    func pump(from socket: StreamSocket, limit: Int) -> Bool {
        do throws(ConnectionError) {
            if let failure { throw failure }
            return try frames.advance(limit: limit) { [unowned(unsafe) self] (target) throws(ConnectionError) in
                // Invariant: `self` is alive for the whole call (see above).
                try self.receiveSome(into: target, from: socket, waiting: false, spinBudget: 0)
            }
        } catch {
            // End of stream or an error: a receive reports it at once.
            return true
        }
    }

    // MARK: Socket reads

    /// Receives what is there: 0 at end of stream, nil when not `waiting` and nothing is.
    /// Waiting, it polls for `spinBudget` nanoseconds before sleeping in the kernel: waking a
    /// sleeping CPU costs up to ~40 µs on a VM, more than a typical reply takes to arrive. It
    /// yields between polls instead of spinning with `pause`, since the scheduler tends to put
    /// the two ends of a socket on the same CPU, where a busy spin would keep the peer from
    /// answering until the budget runs out (measured: round trip ≈ 2 × budget).
    ///
    /// Descriptors that arrive go to ``hold(_:)``. A receive that lost some (more than the
    /// process could take) consumed bytes of a frame whose descriptors are gone: that fails
    /// the stream for good, like a length over the limit.
    private func receiveSome(
        into target: UnsafeMutableRawBufferPointer, from socket: StreamSocket, waiting: Bool, spinBudget: Int64
    ) throws(ConnectionError) -> Int? {
        func receive(blocking: Bool) throws(Errno) -> Int? {
            try socket.receive(into: target, nonBlocking: !blocking) { hold($0) }
        }
        do throws(Errno) {
            guard waiting else { return try receive(blocking: false) }
            if spinBudget > 0 {
                if let got = try receive(blocking: false) { return got }
                let end = Deadline.now.nanoseconds + spinBudget
                repeat {
                    CPU.yield()
                    if let got = try receive(blocking: false) { return got }
                } while Deadline.now.nanoseconds < end
            }
            return try receive(blocking: true) ?? 0
        } catch .messageTooLong {
            let error = ConnectionError.badDescriptor("more descriptors arrived than this process can hold; the bytes they came with were read, so the connection cannot receive any more")
            failure = error
            throw error
        } catch {
            throw ConnectionError(error)
        }
    }
}

extension ConnectionError: FrameStreamFailure {
    /// A frame announcing more than ``Connection/maxMessageSize``.
    static func frameTooLarge(length: UInt64, limit: Int) -> ConnectionError { .messageTooLarge(length: length, limit: limit) }
    /// The other end closed (also in the middle of a message).
    static var streamEnded: ConnectionError { .closed }
}
