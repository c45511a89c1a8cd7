import SystemPackage

/// The receiving half of a ``Connection``: frames (``FrameHeader/connection``: an 8-byte
/// little-endian length, then the payload) taken from a byte stream that another process writes, so hostile input
/// (DESIGN decision 13).
///
/// - A header announcing more than the connection's limit throws
///   ``ConnectionError/messageTooLarge(length:limit:)`` before anything is allocated, and
///   keeps throwing it: the stream is out of step for good (the announced bytes cannot be
///   skipped safely).
/// - Memory follows the bytes that arrived, never the announced length: a frame that fits the
///   read-ahead buffer is decoded from it in place; a larger one is collected in a buffer that
///   starts at ``firstLargeChunk`` and doubles as bytes arrive. A peer that announces 2^34
///   bytes and sends a few costs a few.
/// - The reader remembers how far into the current frame it got, so ``pump(from:limit:)`` can
///   take what the socket holds without blocking and say whether a whole frame is here:
///   `poll` and `wait` use it, and never report half a frame as ready.
/// - Descriptors that arrive with the bytes (`SCM_RIGHTS`, see
///   ``Connection/sendDescriptor(_:)``) are kept in arrival order, at most
///   ``maximumHeldDescriptors`` of them: a peer that attaches more gets them closed at once,
///   so it cannot make this process run out of descriptors. A descriptor message takes the
///   first one that is the file it names, closing those before it; those never taken are
///   closed with the reader.
///
/// Not thread-safe: the connection serializes receivers.
final class FrameReader {
    /// Bytes of read-ahead; frames up to this size are decoded from the buffer in place.
    static let capacity = 64 * 1024
    /// The frames of a connection: an 8-byte length, then the payload (``FrameHeader/connection``).
    static var framing: FrameHeader { .connection }
    /// The size of a frame header.
    static var headerSize: Int { framing.lengthSize }
    /// The first allocation for a frame larger than the buffer (then doubled as bytes arrive):
    /// large enough that a legitimate big message is copied only a few times over.
    static let firstLargeChunk = 256 * 1024

    /// Allocated at the first receive, so a send-only end costs nothing.
    private var storage: UnsafeMutableRawBufferPointer?
    private var start = 0
    private var end = 0

    /// The payload length of the current frame, once its header was read.
    private var pendingLength: Int?
    /// The part of a current frame larger than the buffer that arrived so far (`largeFilled`
    /// bytes of `large`).
    private var large = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private var largeFilled = 0
    /// Set by a header over the limit, or a receive that lost descriptors; every later read
    /// throws it.
    private var failure: ConnectionError?
    /// Descriptors received and not taken yet, oldest first (owned here).
    private var descriptors: [CInt] = []
    /// The most received descriptors kept waiting for ``takeDescriptor()``.
    static let maximumHeldDescriptors = 16

    init() {}

    deinit {
        storage?.deallocate()
        large.deallocate()
        for fd in descriptors { _ = try? FileDescriptor(rawValue: fd).close() }
    }

    /// Whether bytes or descriptors already taken from the socket wait here: another process
    /// sharing the socket would not see them.
    var hasReadAhead: Bool { end > start || pendingLength != nil || !descriptors.isEmpty }

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

    /// Waits for the header of the next frame (unless it was read already) and returns its
    /// payload length, which is at most `limit`.
    func nextLength(from socket: StreamSocket, limit: Int, spinBudget: Int64) throws(ConnectionError) -> Int {
        _ = try readHeader(from: socket, limit: limit, waiting: true, spinBudget: spinBudget)
        return pendingLength!
    }

    /// Waits for the whole current frame and calls `body` with its payload. The frame is
    /// consumed even when `body` throws, so the next one stays intact.
    func withPayload<Result>(
        from socket: StreamSocket, limit: Int, spinBudget: Int64,
        _ body: (UnsafeRawBufferPointer) throws(ConnectionError) -> Result
    ) throws(ConnectionError) -> Result {
        _ = try advance(from: socket, limit: limit, waiting: true, spinBudget: spinBudget)
        defer { finishFrame() }
        let length = pendingLength!
        if length <= Self.capacity {
            return try body(UnsafeRawBufferPointer(rebasing: buffer[start..<start + length]))
        }
        return try body(UnsafeRawBufferPointer(rebasing: large[..<length]))
    }

    /// Drops the current frame (its header was read), reading the rest of its payload through
    /// the buffer: no allocation for its length.
    func skipPayload(from socket: StreamSocket) throws(ConnectionError) {
        let length = pendingLength!
        var left: Int
        if large.baseAddress != nil {
            left = length - largeFilled
            releaseLarge()
        } else {
            let buffered = min(end - start, length)
            start += buffered
            left = length - buffered
        }
        // Dropped now: a short read below leaves the stream unusable anyway.
        pendingLength = nil
        while left > 0 {
            // The buffer is empty here; bytes beyond this frame stay in it.
            start = 0
            end = try receiveSome(into: buffer, from: socket, waiting: true, spinBudget: 0) ?? 0
            guard end > 0 else { throw .closed }
            start = min(end, left)
            left -= start
        }
    }

    /// Takes what the socket holds, without blocking, and returns whether a receive would
    /// return at once: a whole frame is here, or the stream ended or failed.
    func pump(from socket: StreamSocket, limit: Int) -> Bool {
        do throws(ConnectionError) {
            return try advance(from: socket, limit: limit, waiting: false, spinBudget: 0)
        } catch {
            // End of stream or an error: a receive reports it at once.
            return true
        }
    }

    // MARK: Progress through a frame

    /// Moves through the current frame as far as the socket allows; returns whether it is
    /// whole. Without `waiting`, stops (returning false) where the socket has nothing more.
    private func advance(from socket: StreamSocket, limit: Int, waiting: Bool, spinBudget: Int64) throws(ConnectionError) -> Bool {
        guard try readHeader(from: socket, limit: limit, waiting: waiting, spinBudget: spinBudget) else { return false }
        let length = pendingLength!
        if length <= Self.capacity {
            return try fill(length, from: socket, waiting: waiting, spinBudget: spinBudget)
        }
        return try collectLarge(length, from: socket, waiting: waiting, spinBudget: spinBudget)
    }

    /// Reads the current frame's header unless done already; returns whether it was read.
    private func readHeader(from socket: StreamSocket, limit: Int, waiting: Bool, spinBudget: Int64) throws(ConnectionError) -> Bool {
        if let failure { throw failure }
        if pendingLength != nil { return true }
        guard try fill(Self.headerSize, from: socket, waiting: waiting, spinBudget: spinBudget) else { return false }
        switch Self.framing.readLength(from: UnsafeRawBufferPointer(rebasing: buffer[start..<end]), limit: limit) {
        case .length(let length):
            start += Self.headerSize
            pendingLength = length
            return true
        case .tooLarge(let announced):
            let error = ConnectionError.messageTooLarge(length: announced, limit: limit)
            failure = error
            throw error
        case .incomplete:
            preconditionFailure("FrameReader: fill returned before the header arrived")
        }
    }

    /// Consumes the current frame, whose payload was used or skipped.
    private func finishFrame() {
        if large.baseAddress != nil {
            releaseLarge()
        } else {
            start += pendingLength!
        }
        pendingLength = nil
    }

    private func releaseLarge() {
        large.deallocate()
        large = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        largeFilled = 0
    }

    private var buffer: UnsafeMutableRawBufferPointer {
        if let storage { return storage }
        let fresh = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.capacity, alignment: 16)
        storage = fresh
        return fresh
    }

    /// Makes at least `count` (≤ capacity) bytes wait in the buffer, reading ahead as far as
    /// the buffer allows; returns false if, not `waiting`, the socket ran dry first.
    private func fill(_ count: Int, from socket: StreamSocket, waiting: Bool, spinBudget: Int64) throws(ConnectionError) -> Bool {
        guard end - start < count else { return true }
        let buffer = self.buffer
        if start + count > Self.capacity {
            let buffered = end - start
            buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: buffered)
            start = 0
            end = buffered
        }
        while end - start < count {
            let target = UnsafeMutableRawBufferPointer(rebasing: buffer[end...])
            guard let got = try receiveSome(into: target, from: socket, waiting: waiting, spinBudget: spinBudget) else { return false }
            guard got > 0 else { throw .closed }
            end += got
        }
        return true
    }

    /// Collects the payload of a frame larger than the buffer into `large`, growing it only
    /// when the bytes that arrived fill it; returns false if, not `waiting`, the socket ran
    /// dry first. Reads no further than the frame, so later frames stay in the socket.
    private func collectLarge(_ length: Int, from socket: StreamSocket, waiting: Bool, spinBudget: Int64) throws(ConnectionError) -> Bool {
        if large.baseAddress == nil {
            large = .allocate(byteCount: min(length, Self.firstLargeChunk), alignment: 16)
            let buffered = min(end - start, length)
            if buffered > 0 { large.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: buffered) }
            start += buffered
            largeFilled = buffered
        }
        while largeFilled < length {
            if largeFilled == large.count {
                let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: min(length, large.count * 2), alignment: 16)
                grown.baseAddress!.copyMemory(from: large.baseAddress!, byteCount: largeFilled)
                large.deallocate()
                large = grown
            }
            let target = UnsafeMutableRawBufferPointer(rebasing: large[largeFilled...])
            guard let got = try receiveSome(into: target, from: socket, waiting: waiting, spinBudget: spinBudget) else { return false }
            guard got > 0 else { throw .closed }
            largeFilled += got
        }
        return true
    }

    /// Receives what is there: 0 at end of stream, nil when not `waiting` and nothing is.
    /// Waiting, it polls for `spinBudget` nanoseconds before sleeping in the kernel: waking a
    /// sleeping CPU costs up to ~40 µs on a VM, more than a typical reply takes to arrive. It
    /// yields between polls instead of spinning with `pause`, since the scheduler tends to put
    /// the two ends of a socket on the same CPU, where a busy spin would keep the peer from
    /// answering until the budget runs out (measured: round trip ≈ 2 × budget).
    ///
    /// Descriptors that arrive go to ``hold(_:)``. A receive that lost some (more than the
    /// process could take) consumed bytes of a frame whose descriptors are gone: that fails
    /// the stream for good, like a header over the limit.
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
