import SystemPackage

/// Why a ``Connection`` could not send or receive a message.
public enum ConnectionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The other end is closed: `receive` found end of stream (Python's `EOFError`), or `send`
    /// found no reader left (`EPIPE`). Messages sent before the close are still received first;
    /// a message the other end was in the middle of sending when it closed is lost.
    case closed
    /// A message arrived but is not a valid encoding of the type asked for (the sender sent
    /// another type, or the bytes are damaged). The message is consumed; the next one is intact.
    case undecodable(String)
    /// The value's `encode(to:)` failed; nothing was sent.
    case unencodable(String)
    /// ``Connection/receiveBytes(maxLength:)`` met a message of `length` bytes, longer than
    /// `maxLength`. The message is discarded; the connection stays usable.
    case messageTooLong(length: Int, maxLength: Int)
    /// `Connection.receiveBytes(into:offset:)` met a message
    /// of `length` bytes, more than the `space` left in the buffer after the offset (Python's
    /// `BufferTooShort`). The message stays first in line, unread: receive it with a larger
    /// buffer or with ``Connection/receiveBytes(maxLength:)``.
    case bufferTooShort(length: Int, space: Int)
    /// ``Connection/receiveDescriptor()`` found a descriptor message but no descriptor of the
    /// file it names (by device and inode) arrived with it, or more descriptors arrived than
    /// this end can hold. The message is consumed; descriptors that came with other messages
    /// were closed. After too many descriptors the stream is out of step and this end cannot
    /// receive again.
    case badDescriptor(String)
    /// A message's header announced `length` bytes, more than the receiving end's
    /// ``Connection/maxMessageSize`` (`limit`). Nothing was allocated or read for it. The
    /// byte stream is out of step from here on (the announced bytes may never come, or may
    /// be a hostile sender's), so this end cannot receive again: every later `receive`,
    /// `receiveBytes` throws this error once more and `poll`/`wait` report it ready. Close
    /// the connection. (Python's `recv` raises an `OSError` for a bad length likewise.)
    case messageTooLarge(length: UInt64, limit: Int)
    /// A decoded ``Connection`` handle names descriptor `fd`, but in this process that
    /// descriptor is closed or is not the socket that was encoded (device and inode differ):
    /// the socket was not passed to this process, and adopting the number would talk to an
    /// unrelated socket or file.
    case descriptorNotInherited(Int32)
    /// The kernel refused the operation for another reason (for example `ENOBUFS`, `EMFILE`).
    case system(Errno)

    public var description: String {
        switch self {
        case .closed: "the other end of the connection is closed"
        case .undecodable(let why): "undecodable message: \(why)"
        case .unencodable(let why): "unencodable value: \(why)"
        case .messageTooLong(let length, let maxLength): "a message of \(length) bytes is longer than the limit of \(maxLength)"
        case .bufferTooShort(let length, let space): "a message of \(length) bytes does not fit the \(space) bytes of the buffer; it was left unread"
        case .badDescriptor(let why): "bad descriptor message: \(why)"
        case .messageTooLarge(let length, let limit): "a message of \(length) bytes is larger than the connection's maxMessageSize of \(limit); the connection cannot receive any more"
        case .descriptorNotInherited(let fd): "descriptor \(fd) of a Connection handle is not the connection's socket in this process (was it passed to this process?)"
        case .system(let errno): "connection error: \(errno)"
        }
    }

    /// The error for a failed socket call: a vanished peer is ``closed``.
    init(_ errno: Errno) {
        self = errno == .brokenPipe || errno == .connectionReset ? .closed : .system(errno)
    }
}
