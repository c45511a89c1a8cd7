/// The tree form of a value travelling to a child process, and its compact binary layout.
///
/// The entry values of spawned and fork-server children cross a process boundary as bytes.
/// `PayloadEncoder` builds this tree from any `Encodable` and `serialized()` writes it;
/// `parse(_:)` reads bytes back (throwing on anything malformed, never trapping) for
/// `PayloadDecoder`. Layout: one tag byte per node, then LEB128 varints (zigzag for signed),
/// little-endian IEEE floats, length-prefixed UTF-8, counted arrays and keyed lists.
indirect enum PayloadNode: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case float(Float)
    case string(String)
    case array([PayloadNode])
    case keyed([(String, PayloadNode)])

    static func == (a: PayloadNode, b: PayloadNode) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case let (.bool(x), .bool(y)): x == y
        case let (.int(x), .int(y)): x == y
        case let (.uint(x), .uint(y)): x == y
        case let (.double(x), .double(y)): x.bitPattern == y.bitPattern
        case let (.float(x), .float(y)): x.bitPattern == y.bitPattern
        case let (.string(x), .string(y)): x == y
        case let (.array(x), .array(y)): x == y
        case let (.keyed(x), .keyed(y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    private enum Tag: UInt8 {
        case null = 0, boolFalse, boolTrue, int, uint, double, float, string, array, keyed
    }

    /// Deepest nesting accepted when parsing, so hostile input cannot exhaust the stack.
    static let maximumDepth = 256

    // MARK: Writing

    /// The binary form of this tree.
    func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        write(to: &out)
        return out
    }

    private func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(Tag.null.rawValue)
        case .bool(let b): out.append(b ? Tag.boolTrue.rawValue : Tag.boolFalse.rawValue)
        case .int(let v):
            out.append(Tag.int.rawValue)
            Self.writeVarint(UInt64(bitPattern: (v << 1) ^ (v >> 63)), to: &out)
        case .uint(let v):
            out.append(Tag.uint.rawValue)
            Self.writeVarint(v, to: &out)
        case .double(let v):
            out.append(Tag.double.rawValue)
            withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) }
        case .float(let v):
            out.append(Tag.float.rawValue)
            withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) }
        case .string(let s):
            out.append(Tag.string.rawValue)
            Self.writeString(s, to: &out)
        case .array(let items):
            out.append(Tag.array.rawValue)
            Self.writeVarint(UInt64(items.count), to: &out)
            for item in items { item.write(to: &out) }
        case .keyed(let pairs):
            out.append(Tag.keyed.rawValue)
            Self.writeVarint(UInt64(pairs.count), to: &out)
            for (key, value) in pairs {
                Self.writeString(key, to: &out)
                value.write(to: &out)
            }
        }
    }

    private static func writeVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    private static func writeString(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { utf8 in
            writeVarint(UInt64(utf8.count), to: &out)
            out.append(contentsOf: utf8)
        }
    }

    // MARK: Reading

    /// Why bytes could not be read as a payload.
    struct Malformed: Error, CustomStringConvertible {
        var offset: Int
        var reason: String
        var description: String { "malformed payload at byte \(offset): \(reason)" }
    }

    /// Reads a tree; the bytes must hold exactly one node.
    static func parse(_ bytes: [UInt8]) throws(Malformed) -> PayloadNode {
        var reader = Reader(bytes: bytes)
        let node = try reader.node(depth: 0)
        guard reader.offset == bytes.count else { throw Malformed(offset: reader.offset, reason: "trailing bytes") }
        return node
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        var remaining: Int { bytes.count - offset }

        mutating func byte() throws(Malformed) -> UInt8 {
            guard offset < bytes.count else { throw Malformed(offset: offset, reason: "unexpected end") }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func varint() throws(Malformed) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let b = try byte()
                guard shift < 64, shift < 63 || b <= 1 else { throw Malformed(offset: offset, reason: "varint overflow") }
                result |= UInt64(b & 0x7f) << shift
                if b < 0x80 { return result }
                shift += 7
            }
        }

        mutating func count() throws(Malformed) -> Int {
            let n = try varint()
            // Every element takes at least one byte, so a count above what is left is a lie.
            guard n <= UInt64(remaining) else { throw Malformed(offset: offset, reason: "count \(n) exceeds the input") }
            return Int(n)
        }

        mutating func fixed<T: FixedWidthInteger>(_: T.Type) throws(Malformed) -> T {
            guard remaining >= MemoryLayout<T>.size else { throw Malformed(offset: offset, reason: "unexpected end") }
            var value: T = 0
            for i in 0..<MemoryLayout<T>.size { value |= T(bytes[offset + i]) << (8 * i) }
            offset += MemoryLayout<T>.size
            return value
        }

        mutating func string() throws(Malformed) -> String {
            let n = try count()
            let slice = bytes[offset..<offset + n]
            guard let s = String(validating: slice, as: UTF8.self) else {
                throw Malformed(offset: offset, reason: "invalid UTF-8")
            }
            offset += n
            return s
        }

        mutating func node(depth: Int) throws(Malformed) -> PayloadNode {
            guard depth < PayloadNode.maximumDepth else { throw Malformed(offset: offset, reason: "nesting too deep") }
            let at = offset
            guard let tag = Tag(rawValue: try byte()) else { throw Malformed(offset: at, reason: "unknown tag \(bytes[at])") }
            switch tag {
            case .null: return .null
            case .boolFalse: return .bool(false)
            case .boolTrue: return .bool(true)
            case .int:
                let z = try varint()
                return .int(Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1))
            case .uint: return .uint(try varint())
            case .double: return .double(Double(bitPattern: try fixed(UInt64.self)))
            case .float: return .float(Float(bitPattern: try fixed(UInt32.self)))
            case .string: return .string(try string())
            case .array:
                let n = try count()
                var items: [PayloadNode] = []
                items.reserveCapacity(n)
                for _ in 0..<n { items.append(try node(depth: depth + 1)) }
                return .array(items)
            case .keyed:
                let n = try count()
                var pairs: [(String, PayloadNode)] = []
                pairs.reserveCapacity(n)
                for _ in 0..<n {
                    let key = try string()
                    pairs.append((key, try node(depth: depth + 1)))
                }
                return .keyed(pairs)
            }
        }
    }
}
