/// The byte layout written by `BinaryEncoder` and read by `BinaryDecoder`.
///
/// Every value starts with a head byte `major << 5 | info`. An `info` of 0...30 is the value's
/// argument itself; 31 means the argument follows as an unsigned LEB128 number (at most ten
/// bytes). What the argument means depends on the major type:
///
/// | major | value | argument | then |
/// |---|---|---|---|
/// | 0 | unsigned integer | the number | — |
/// | 1 | negative integer | `-1 - number` | — |
/// | 2 | string | byte count | UTF-8 bytes |
/// | 3 | bytes (`[UInt8]`) | byte count | the bytes |
/// | 4 | unkeyed container | byte count of the body | the elements, one value after another |
/// | 5 | keyed container | byte count of the body | key, value, key, value, … |
/// | 6 | simple | 0 nil, 1 false, 2 true, 3 `Float`, 4 `Double`, 5 some | 4 or 8 little-endian bytes for 3 and 4; for 5 the payload value |
/// | 7 | reserved (invalid) | | |
///
/// A key is a string, or an integer when the `CodingKey` has an `intValue` (so `[Int: V]` stores
/// its keys as numbers). Keys are stored because synthesized `Codable` needs them: enums with
/// payloads find their case through `allKeys`, and `encodeIfPresent` leaves absent keys out. The
/// decoder expects keys in the order they were written and falls back to a scan otherwise.
///
/// Containers carry their byte length, not their element count: any value can be skipped in
/// O(1), a nested decoder cannot read past its value, and a corrupt length is caught before
/// anything is allocated. A `Double` that a `Float` holds exactly is written in four bytes.
///
/// `some` marks a present `Optional` whose payload would otherwise read as nil, so
/// `Int??.some(nil)` survives a round trip (it does not through JSON). Integers of every width
/// share one representation; decoding checks that the number fits the requested type.
enum BinaryFormat {
    // Major types.
    static let unsigned: UInt8 = 0
    static let negative: UInt8 = 1
    static let string: UInt8 = 2
    static let bytes: UInt8 = 3
    static let unkeyed: UInt8 = 4
    static let keyed: UInt8 = 5
    static let simple: UInt8 = 6

    /// `info` value announcing a LEB128 argument.
    static let followingArgument: UInt8 = 31

    // Simple values (major 6).
    static let nilArgument: UInt64 = 0
    static let falseArgument: UInt64 = 1
    static let trueArgument: UInt64 = 2
    static let floatArgument: UInt64 = 3
    static let doubleArgument: UInt64 = 4
    static let someArgument: UInt64 = 5

    static let nilByte: UInt8 = simple << 5 | 0
    static let falseByte: UInt8 = simple << 5 | 1
    static let trueByte: UInt8 = simple << 5 | 2
    static let floatByte: UInt8 = simple << 5 | 3
    static let doubleByte: UInt8 = simple << 5 | 4
    static let someByte: UInt8 = simple << 5 | 5
    static let emptyKeyedByte: UInt8 = keyed << 5

    /// `[UInt8]`, compared against every value's type: naming a generic type in unspecialized
    /// code costs a metadata lookup each time, this costs one.
    static let bytesType = ObjectIdentifier([UInt8].self)

    // MARK: Writing

    /// Appends a head byte with `argument`, inline or as a following LEB128 number.
    @inline(__always)
    static func appendHead(_ major: UInt8, _ argument: UInt64, to out: inout [UInt8]) {
        if argument < UInt64(followingArgument) {
            out.append(major << 5 | UInt8(truncatingIfNeeded: argument))
        } else {
            out.append(major << 5 | followingArgument)
            appendLEB128(argument, to: &out)
        }
    }

    static func appendLEB128(_ value: UInt64, to out: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        out.append(UInt8(truncatingIfNeeded: value))
    }

    static func lengthOfLEB128(_ value: UInt64) -> Int {
        var value = value, count = 1
        while value >= 0x80 { value >>= 7; count += 1 }
        return count
    }

    static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        if value >= 0 {
            appendHead(unsigned, UInt64(value), to: &out)
        } else {
            // -1 - value cannot overflow for a negative value.
            appendHead(negative, UInt64(-1 - value), to: &out)
        }
    }

    static func appendString(_ string: String, to out: inout [UInt8]) {
        var string = string
        string.withUTF8 { utf8 in
            appendHead(BinaryFormat.string, UInt64(utf8.count), to: &out)
            out.append(contentsOf: utf8)
        }
    }

    static func appendDouble(_ value: Double, to out: inout [UInt8]) {
        let narrow = Float(value)
        if Double(narrow).bitPattern == value.bitPattern {
            appendFloat(narrow, to: &out)
        } else {
            out.append(doubleByte)
            withUnsafeBytes(of: value.bitPattern.littleEndian) { out.append(contentsOf: $0) }
        }
    }

    static func appendFloat(_ value: Float, to out: inout [UInt8]) {
        out.append(floatByte)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { out.append(contentsOf: $0) }
    }

    /// Appends `value` when it is a primitive (number, `Bool`, `String` or `[UInt8]`);
    /// returns false, writing nothing, for any other type.
    static func appendPrimitive<T>(_ value: T, to out: inout [UInt8]) -> Bool {
        if T.self == String.self { String.write(unsafeBitCast(value, to: String.self), to: &out); return true }
        if T.self == Int.self { Int.write(unsafeBitCast(value, to: Int.self), to: &out); return true }
        if T.self == Double.self { Double.write(unsafeBitCast(value, to: Double.self), to: &out); return true }
        if ObjectIdentifier(T.self) == bytesType { appendBytes(unsafeBitCast(value, to: [UInt8].self), to: &out); return true }
        if T.self == Bool.self { Bool.write(unsafeBitCast(value, to: Bool.self), to: &out); return true }
        if T.self == Float.self { Float.write(unsafeBitCast(value, to: Float.self), to: &out); return true }
        if T.self == Int64.self { Int64.write(unsafeBitCast(value, to: Int64.self), to: &out); return true }
        if T.self == Int32.self { Int32.write(unsafeBitCast(value, to: Int32.self), to: &out); return true }
        if T.self == Int16.self { Int16.write(unsafeBitCast(value, to: Int16.self), to: &out); return true }
        if T.self == Int8.self { Int8.write(unsafeBitCast(value, to: Int8.self), to: &out); return true }
        if T.self == UInt.self { UInt.write(unsafeBitCast(value, to: UInt.self), to: &out); return true }
        if T.self == UInt64.self { UInt64.write(unsafeBitCast(value, to: UInt64.self), to: &out); return true }
        if T.self == UInt32.self { UInt32.write(unsafeBitCast(value, to: UInt32.self), to: &out); return true }
        if T.self == UInt16.self { UInt16.write(unsafeBitCast(value, to: UInt16.self), to: &out); return true }
        if T.self == UInt8.self { UInt8.write(unsafeBitCast(value, to: UInt8.self), to: &out); return true }
        return false
    }

    static func appendBytes(_ bytes: [UInt8], to out: inout [UInt8]) {
        appendHead(BinaryFormat.bytes, UInt64(bytes.count), to: &out)
        out.append(contentsOf: bytes)
    }

    // MARK: Reading

    /// A parsed head: major type, argument, and the position just after both.
    struct Head {
        var major: UInt8
        var argument: UInt64
        var next: Int

        var isNil: Bool { major == BinaryFormat.simple && argument == BinaryFormat.nilArgument }
        var isSome: Bool { major == BinaryFormat.simple && argument == BinaryFormat.someArgument }
    }

    /// Reads the head at `position`; every byte read lies below `end`.
    @inline(__always)
    static func head(at position: Int, end: Int, in base: UnsafeRawPointer) throws(CodecError) -> Head {
        guard position < end else { throw .truncated(offset: position) }
        let byte = base.load(fromByteOffset: position, as: UInt8.self)
        let info = byte & followingArgument
        if info != followingArgument {
            return Head(major: byte >> 5, argument: UInt64(info), next: position + 1)
        }
        let (argument, next) = try readLEB128(at: position + 1, end: end, in: base)
        return Head(major: byte >> 5, argument: argument, next: next)
    }

    static func readLEB128(at position: Int, end: Int, in base: UnsafeRawPointer) throws(CodecError) -> (UInt64, Int) {
        var result: UInt64 = 0, shift: UInt64 = 0, p = position
        while true {
            guard p < end else { throw .truncated(offset: p) }
            let byte = base.load(fromByteOffset: p, as: UInt8.self)
            // The tenth byte may only carry the 64th bit.
            if shift == 63 && byte > 1 { throw .invalid("number longer than 64 bits", offset: p) }
            result |= UInt64(byte & 0x7F) << shift
            p += 1
            if byte & 0x80 == 0 { return (result, p) }
            shift += 7
        }
    }

    /// The end of a payload of `head.argument` bytes, checked against `end` before any use.
    @inline(__always)
    static func payloadEnd(_ head: Head, end: Int) throws(CodecError) -> Int {
        guard head.argument <= UInt64(end - head.next) else { throw .truncated(offset: head.next) }
        return head.next + Int(head.argument)
    }

    /// The position just after the value starting at `position`, in O(1) except for a chain
    /// of `some` markers; nothing is recursed into.
    static func valueEnd(at position: Int, end: Int, in base: UnsafeRawPointer) throws(CodecError) -> Int {
        var p = position
        while true {
            let h = try head(at: p, end: end, in: base)
            switch h.major {
            case unsigned, negative:
                return h.next
            case string, bytes, unkeyed, keyed:
                return try payloadEnd(h, end: end)
            case simple:
                switch h.argument {
                case nilArgument, falseArgument, trueArgument:
                    return h.next
                case floatArgument, doubleArgument:
                    let width = h.argument == floatArgument ? 4 : 8
                    guard width <= end - h.next else { throw .truncated(offset: h.next) }
                    return h.next + width
                case someArgument:
                    p = h.next
                default:
                    throw .invalid("unknown simple value \(h.argument)", offset: p)
                }
            default:
                throw .invalid("reserved major type 7", offset: p)
            }
        }
    }

    /// What a head holds, for error messages.
    static func kindName(_ head: Head) -> String {
        switch head.major {
        case unsigned, negative: return "an integer"
        case string: return "a string"
        case bytes: return "bytes"
        case unkeyed: return "an unkeyed container"
        case keyed: return "a keyed container"
        case simple:
            switch head.argument {
            case nilArgument: return "nil"
            case falseArgument, trueArgument: return "a Bool"
            case floatArgument, doubleArgument: return "a floating-point number"
            case someArgument: return "an optional"
            default: return "an invalid value"
            }
        default: return "an invalid value"
        }
    }
}
