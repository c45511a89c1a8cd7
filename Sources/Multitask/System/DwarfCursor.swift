/// Thrown when DWARF bytes end early or hold something ``DwarfCursor``'s readers do not know:
/// the lookup that met it gives up, nothing traps.
struct DwarfMalformed: Error {}

/// A position in one DWARF section, reading forward, every read bounds-checked.
///
/// Debug sections come from files this process has loaded, but they are still a file's
/// bytes: a count or offset that does not fit throws ``DwarfMalformed``.
///
/// ```swift
/// var cursor = DwarfCursor(info, at: unitOffset)
/// let length = try cursor.fixed(UInt32.self)
/// ```
struct DwarfCursor {
    /// The section.
    let bytes: UnsafeRawBufferPointer
    /// Where the next read starts.
    var offset: Int

    init(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
        self.bytes = bytes
        self.offset = offset
    }

    /// Whether every byte has been read.
    var isAtEnd: Bool { offset >= bytes.count }

    /// A little-endian integer.
    mutating func fixed<Value: FixedWidthInteger>(_: Value.Type) throws(DwarfMalformed) -> Value {
        let size = MemoryLayout<Value>.size
        guard offset >= 0, offset <= bytes.count - size else { throw DwarfMalformed() }
        defer { offset += size }
        return Value(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Value.self))
    }

    /// An unsigned little-endian integer of `size` bytes (1 to 8).
    mutating func unsigned(size: Int) throws(DwarfMalformed) -> UInt64 {
        guard size >= 1, size <= 8, offset >= 0, offset <= bytes.count - size else { throw DwarfMalformed() }
        var value: UInt64 = 0
        for index in 0..<size { value |= UInt64(bytes[offset + index]) << (8 * index) }
        offset += size
        return value
    }

    /// An unsigned LEB128 number; bits past the 64th are dropped.
    mutating func uleb() throws(DwarfMalformed) -> UInt64 {
        try leb().bits
    }

    /// A signed LEB128 number; bits past the 64th are dropped.
    mutating func sleb() throws(DwarfMalformed) -> Int64 {
        let (bits, width, last) = try leb()
        // The sign is the top bit of the last group: extend it over the bits above.
        let extended = width < 64 && last & 0x40 != 0 ? bits | ~0 << width : bits
        return Int64(bitPattern: extended)
    }

    /// The groups of a LEB128 number: their bits (past the 64th dropped), how many bits they
    /// spanned, and the last byte (whose 0x40 is a signed number's sign).
    private mutating func leb() throws(DwarfMalformed) -> (bits: UInt64, width: UInt64, last: UInt8) {
        var bits: UInt64 = 0
        var width: UInt64 = 0
        while true {
            let byte = try fixed(UInt8.self)
            if width < 64 { bits |= UInt64(byte & 0x7F) << width }
            width += 7
            if byte & 0x80 == 0 { return (bits, width, byte) }
        }
    }

    /// Moves past `count` bytes.
    mutating func skip(_ count: UInt64) throws(DwarfMalformed) {
        guard offset >= 0, count <= UInt64(bytes.count - min(offset, bytes.count)) else { throw DwarfMalformed() }
        offset += Int(count)
    }

    /// A NUL-terminated string (the NUL must be inside the section).
    mutating func string() throws(DwarfMalformed) -> String {
        guard offset >= 0, offset < bytes.count else { throw DwarfMalformed() }
        let text = bytes[offset...].prefix { $0 != 0 }
        guard offset + text.count < bytes.count else { throw DwarfMalformed() }
        offset += text.count + 1
        return String(decoding: UnsafeRawBufferPointer(rebasing: text), as: UTF8.self)
    }

    /// The NUL-terminated string at `offset` of `section`.
    static func string(in section: UnsafeRawBufferPointer, at offset: UInt64) throws(DwarfMalformed) -> String {
        guard offset < UInt64(section.count) else { throw DwarfMalformed() }
        var cursor = DwarfCursor(section, at: Int(offset))
        return try cursor.string()
    }
}
