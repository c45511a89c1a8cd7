/// Fixed-width little-endian fields at the front of a frame's body, read with every offset
/// checked against the bytes that arrived: a short or hostile body gives nil, never a read
/// past its end. Used for the pool's header word, the fork server's messages and the MPI
/// backend's messages.
///
/// ```swift
/// var fields = FrameFields(body)
/// guard let request = fields.read(UInt64.self), let pid = fields.read(Int32.self) else { return nil }
/// ```
package struct FrameFields {
    private let bytes: UnsafeRawBufferPointer
    /// Bytes before this offset were read.
    package private(set) var offset = 0

    /// Fields read from the front of `bytes` (valid while they are).
    package init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// The next field, or nil (reading nothing) if fewer than its size remain.
    @inline(__always)
    package mutating func read<Field: FixedWidthInteger>(_: Field.Type) -> Field? {
        let size = MemoryLayout<Field>.size
        guard bytes.count - offset >= size else { return nil }
        defer { offset += size }
        return Field(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Field.self))
    }

    /// The next `count` bytes, or nil (reading nothing) if fewer remain or `count` is negative.
    package mutating func read(bytes count: Int) -> UnsafeRawBufferPointer? {
        guard count >= 0, bytes.count - offset >= count else { return nil }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    }

    /// The next `u32`-length-prefixed byte string (see ``Swift/Array/appendByteString(_:)``),
    /// or nil if its length is more than the bytes that remain.
    package mutating func readByteString() -> UnsafeRawBufferPointer? {
        read(UInt32.self).flatMap { read(bytes: Int($0)) }
    }

    /// The bytes after the fields read so far.
    package var rest: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[offset...]) }
}

extension Array where Element == UInt8 {
    /// Appends `value` as a little-endian frame field (see ``FrameFields``).
    @inline(__always)
    package mutating func appendField<Field: FixedWidthInteger>(_ value: Field) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// Appends `bytes` after their `u32` length (read back with ``FrameFields/readByteString()``).
    package mutating func appendByteString<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
        appendField(UInt32(bytes.count))
        append(contentsOf: bytes)
    }
}
