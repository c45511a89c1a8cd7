/// A primitive the binary format stores directly: the numbers, `Bool` and `String`.
protocol BinaryScalar {
    static func write(_ value: Self, to out: inout [UInt8])
    static func read(from input: BinaryInput, at start: Int, end: Int) throws(CodecError) -> Self
}

extension Bool: BinaryScalar {
    static func write(_ value: Bool, to out: inout [UInt8]) { out.append(value ? BinaryFormat.trueByte : BinaryFormat.falseByte) }
    static func read(from input: BinaryInput, at start: Int, end: Int) throws(CodecError) -> Bool {
        try input.readBool(at: start, end: end)
    }
}

extension String: BinaryScalar {
    static func write(_ value: String, to out: inout [UInt8]) { BinaryFormat.appendString(value, to: &out) }
    static func read(from input: BinaryInput, at start: Int, end: Int) throws(CodecError) -> String {
        try input.readString(at: start, end: end)
    }
}

extension Double: BinaryScalar {
    static func write(_ value: Double, to out: inout [UInt8]) { BinaryFormat.appendDouble(value, to: &out) }
    static func read(from input: BinaryInput, at start: Int, end: Int) throws(CodecError) -> Double {
        try input.readDouble(at: start, end: end)
    }
}

extension Float: BinaryScalar {
    static func write(_ value: Float, to out: inout [UInt8]) { BinaryFormat.appendFloat(value, to: &out) }
    static func read(from input: BinaryInput, at start: Int, end: Int) throws(CodecError) -> Float {
        try input.readFloat(at: start, end: end)
    }
}

/// The integers share one implementation.
protocol BinaryInteger: BinaryScalar, FixedWidthInteger {}

extension BinaryInteger {
    static func write(_ value: Self, to out: inout [UInt8]) {
        if Self.isSigned {
            BinaryFormat.appendInteger(Int64(truncatingIfNeeded: value), to: &out)
        } else {
            BinaryFormat.appendHead(BinaryFormat.unsigned, UInt64(truncatingIfNeeded: value), to: &out)
        }
    }

    static func read(from input: BinaryInput, at start: Int, end: Int) throws(CodecError) -> Self {
        try input.readInteger(Self.self, at: start, end: end)
    }
}

extension Int: BinaryInteger {}
extension Int8: BinaryInteger {}
extension Int16: BinaryInteger {}
extension Int32: BinaryInteger {}
extension Int64: BinaryInteger {}
extension UInt: BinaryInteger {}
extension UInt8: BinaryInteger {}
extension UInt16: BinaryInteger {}
extension UInt32: BinaryInteger {}
extension UInt64: BinaryInteger {}
