/// A `Codable` type whose messages are its raw in-memory bytes.
///
/// `MessageCodec` (and the queues and pipes built on it) copies a `BitwiseCodable` value as
/// its `MemoryLayout<Self>.size` bytes: no `encode(to:)`, no allocation, one `memcpy` each
/// way. The integer and floating-point types conform; conform your own fixed-size structs
/// when every field is one of them.
///
/// The rule: **every bit pattern of the type's size must be a valid value**, because a
/// message is trusted to be nothing but bytes. Do not conform types holding `Bool`, enums,
/// pointers or anything whose `Codable` conformance does more than copy the fields (a handle
/// that must be translated for the receiving process, say). `BitwiseCopyable` rules out
/// references at compile time; the bit-pattern rule is yours to keep. Padding bytes travel
/// as whatever they hold. Raw bytes are meant for processes of one executable on one machine:
/// the layout is not portable.
///
/// ```swift
/// struct Sample: BitwiseCodable { var time: Int64; var value: Double }
/// let queue = try Queue<Sample>()   // each put copies 16 bytes
/// ```
public protocol BitwiseCodable: BitwiseCopyable, Codable, Sendable {}

extension Int: BitwiseCodable {}
extension Int8: BitwiseCodable {}
extension Int16: BitwiseCodable {}
extension Int32: BitwiseCodable {}
extension Int64: BitwiseCodable {}
extension UInt: BitwiseCodable {}
extension UInt8: BitwiseCodable {}
extension UInt16: BitwiseCodable {}
extension UInt32: BitwiseCodable {}
extension UInt64: BitwiseCodable {}
extension Float: BitwiseCodable {}
extension Double: BitwiseCodable {}
