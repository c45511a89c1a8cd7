/// The one rule that decides which values travel between processes as their raw in-memory
/// bytes, shared by ``Queue``, ``Connection`` (and so `Pipe`) and ``Pool`` through
/// ``MessageCodec``.
///
/// A type travels raw only when it is ``BitwiseCodable`` *and* trivial (`_isPOD`):
/// `BitwiseCodable` is the promise that every bit pattern of its size is a valid value, so
/// bytes from another process can never make an invalid one; being trivial is what makes a
/// `memcpy` a complete copy. Being trivial alone is not enough: `Bool`, enums and structs
/// holding them are trivial, yet a peer's byte 0x07 read as a `Bool` or as an enum that has
/// no such case is undefined behaviour. Those types take the `Codable` path, whose decoder
/// validates every value (and which honours a custom `Codable` conformance).
@usableFromInline
enum RawBytesRule {
    /// Whether values of `type` travel as their raw bytes. Inlinable so that, specialized for
    /// a concrete type, both tests fold to a constant and the fast path costs nothing.
    @inlinable @inline(__always)
    static func applies<T>(to type: T.Type) -> Bool {
        _isPOD(T.self) && T.self is any BitwiseCodable.Type
    }
}
