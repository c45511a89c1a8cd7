/// The bytes a `BinaryDecoder` reads, and the readers of primitives.
///
/// A plain value: top-level primitives decode from it without allocating anything; a
/// `BinaryDecodingState` wraps it for everything else. Every read is bounds-checked against
/// the `end` of the value being read, which never exceeds `count`, and every length against
/// the bytes that remain, before anything is allocated for it.
struct BinaryInput {
    /// Invariant: `count` readable bytes for as long as the input is used.
    let base: UnsafeRawPointer
    let count: Int
    /// Makes the paths of errors met front to back cost O(depth) each; nil for a lone
    /// top-level primitive, whose path is the root. Invariant: the decoding state that set it
    /// (and is it) outlives every use of this input, so it is not retained.
    unowned(unsafe) var pathMemo: CodecPath.Memo?

    init(base: UnsafeRawPointer, count: Int) {
        self.base = base
        self.count = count
    }

    @inline(__always)
    func head(at position: Int, end: Int) throws(CodecError) -> BinaryFormat.Head {
        try BinaryFormat.head(at: position, end: end, in: base)
    }

    /// Whether `readPrimitive` reads `type`: the numbers, `Bool` and `String`.
    static func isPrimitive(_ type: Any.Type) -> Bool {
        type == String.self || type == Int.self || type == Double.self || type == Bool.self || type == Float.self
            || type == Int64.self || type == Int32.self || type == Int16.self || type == Int8.self
            || type == UInt.self || type == UInt64.self || type == UInt32.self || type == UInt16.self || type == UInt8.self
    }

    /// The primitive at `start`; `T` must pass `isPrimitive`. (Returning `T?` instead would
    /// cost a metadata lookup for `Optional<T>` on every value.)
    func readPrimitive<T>(_ type: T.Type, at start: Int, end: Int) throws(CodecError) -> T {
        if T.self == String.self { return unsafeBitCast(try String.read(from: self, at: start, end: end), to: T.self) }
        if T.self == Int.self { return unsafeBitCast(try Int.read(from: self, at: start, end: end), to: T.self) }
        if T.self == Double.self { return unsafeBitCast(try Double.read(from: self, at: start, end: end), to: T.self) }
        if T.self == Bool.self { return unsafeBitCast(try Bool.read(from: self, at: start, end: end), to: T.self) }
        if T.self == Float.self { return unsafeBitCast(try Float.read(from: self, at: start, end: end), to: T.self) }
        if T.self == Int64.self { return unsafeBitCast(try Int64.read(from: self, at: start, end: end), to: T.self) }
        if T.self == Int32.self { return unsafeBitCast(try Int32.read(from: self, at: start, end: end), to: T.self) }
        if T.self == Int16.self { return unsafeBitCast(try Int16.read(from: self, at: start, end: end), to: T.self) }
        if T.self == Int8.self { return unsafeBitCast(try Int8.read(from: self, at: start, end: end), to: T.self) }
        if T.self == UInt.self { return unsafeBitCast(try UInt.read(from: self, at: start, end: end), to: T.self) }
        if T.self == UInt64.self { return unsafeBitCast(try UInt64.read(from: self, at: start, end: end), to: T.self) }
        if T.self == UInt32.self { return unsafeBitCast(try UInt32.read(from: self, at: start, end: end), to: T.self) }
        if T.self == UInt16.self { return unsafeBitCast(try UInt16.read(from: self, at: start, end: end), to: T.self) }
        if T.self == UInt8.self { return unsafeBitCast(try UInt8.read(from: self, at: start, end: end), to: T.self) }
        usageFailure("readPrimitive called for \(T.self), which isPrimitive rejects")
    }

    /// `[UInt8]` stored as bytes, else nil (an unkeyed container of numbers also decodes as
    /// `[UInt8]`, through the array path).
    func readBytesIfBytes<T>(_ type: T.Type, at start: Int, end: Int) throws(CodecError) -> [UInt8]? {
        guard ObjectIdentifier(T.self) == BinaryFormat.bytesType else { return nil }
        return try readBytes(at: start, end: end)
    }

    /// Reads an unkeyed container of primitives; the common element types get a loop of
    /// their own, free of generic dispatch.
    func decodeScalars<Element: BinaryScalar>(_ type: Element.Type, at start: Int, end: Int) throws(CodecError) -> [Element] {
        switch ObjectIdentifier(Element.self) {
        case ObjectIdentifier(Int.self): unsafeBitCast(try readScalars(Int.self, at: start, end: end), to: [Element].self)
        case ObjectIdentifier(Double.self): unsafeBitCast(try readScalars(Double.self, at: start, end: end), to: [Element].self)
        case ObjectIdentifier(String.self): unsafeBitCast(try readScalars(String.self, at: start, end: end), to: [Element].self)
        case ObjectIdentifier(Float.self): unsafeBitCast(try readScalars(Float.self, at: start, end: end), to: [Element].self)
        default: try readScalars(Element.self, at: start, end: end)
        }
    }

    @inline(__always)
    private func readScalars<Element: BinaryScalar>(_ type: Element.Type, at start: Int, end: Int) throws(CodecError) -> [Element] {
        let body = try self.body(of: BinaryFormat.unkeyed, at: start, end: end)
        // Counting first sizes the array exactly (never beyond what the bytes hold) and spares
        // the generic path a metadata lookup per append.
        var count = 0, p = body.lowerBound
        while p < body.upperBound {
            p = try valueEnd(at: p, end: body.upperBound)
            count += 1
        }
        var failure: CodecError?
        let elements = [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            var p = body.lowerBound
            while initialized < count {
                do throws(CodecError) {
                    let next = try valueEnd(at: p, end: body.upperBound)
                    (buffer.baseAddress! + initialized).initialize(to: try Element.read(from: self, at: p, end: next))
                    p = next
                    initialized += 1
                } catch {
                    failure = error
                    return
                }
            }
        }
        if let failure { throw failure }
        return elements
    }

    func readInteger<I: FixedWidthInteger>(_ type: I.Type, at start: Int, end: Int) throws(CodecError) -> I {
        let h = try head(at: start, end: end)
        switch h.major {
        case BinaryFormat.unsigned:
            if let value = I(exactly: h.argument) { return value }
            throw .numberOutOfRange("\(h.argument) does not fit \(I.self)", path: path(to: start))
        case BinaryFormat.negative:
            if h.argument <= UInt64(Int64.max), let value = I(exactly: -1 - Int64(h.argument)) { return value }
            throw .numberOutOfRange("-1 - \(h.argument) does not fit \(I.self)", path: path(to: start))
        default:
            throw mismatch(expected: "\(I.self)", h, at: start)
        }
    }

    func readBool(at start: Int, end: Int) throws(CodecError) -> Bool {
        let h = try head(at: start, end: end)
        if h.major == BinaryFormat.simple {
            if h.argument == BinaryFormat.trueArgument { return true }
            if h.argument == BinaryFormat.falseArgument { return false }
        }
        throw mismatch(expected: "Bool", h, at: start)
    }

    func readDouble(at start: Int, end: Int) throws(CodecError) -> Double {
        let h = try head(at: start, end: end)
        if h.major == BinaryFormat.simple && h.argument == BinaryFormat.doubleArgument {
            guard end - h.next >= 8 else { throw .truncated(offset: h.next) }
            return Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: h.next, as: UInt64.self)))
        }
        if h.major == BinaryFormat.simple && h.argument == BinaryFormat.floatArgument {
            guard end - h.next >= 4 else { throw .truncated(offset: h.next) }
            return Double(Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: h.next, as: UInt32.self))))
        }
        throw mismatch(expected: "Double", h, at: start)
    }

    func readFloat(at start: Int, end: Int) throws(CodecError) -> Float {
        let h = try head(at: start, end: end)
        if h.major == BinaryFormat.simple && h.argument == BinaryFormat.floatArgument {
            guard end - h.next >= 4 else { throw .truncated(offset: h.next) }
            return Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: h.next, as: UInt32.self)))
        }
        if h.major == BinaryFormat.simple && h.argument == BinaryFormat.doubleArgument {
            let wide = try readDouble(at: start, end: end)
            let narrow = Float(wide)
            // Rounds like JSONDecoder does, but a finite Double beyond Float's range is an error.
            if narrow.isInfinite && wide.isFinite {
                throw .numberOutOfRange("\(wide) does not fit Float", path: path(to: start))
            }
            return narrow
        }
        throw mismatch(expected: "Float", h, at: start)
    }

    func readString(at start: Int, end: Int) throws(CodecError) -> String {
        let h = try head(at: start, end: end)
        guard h.major == BinaryFormat.string else { throw mismatch(expected: "String", h, at: start) }
        let stop = try BinaryFormat.payloadEnd(h, end: end)
        let utf8 = UnsafeBufferPointer(start: base.advanced(by: h.next).assumingMemoryBound(to: UInt8.self), count: stop - h.next)
        // ASCII needs no validation beyond the scan; the generic validator costs a metadata lookup.
        if Self.isASCII(utf8) { return String(decoding: utf8, as: UTF8.self) }
        guard let string = String(validating: utf8, as: UTF8.self) else {
            throw .invalid("string is not valid UTF-8", offset: h.next)
        }
        return string
    }

    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i + 8 <= bytes.count {
            let word = UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt64.self)
            if word & 0x8080_8080_8080_8080 != 0 { return false }
            i += 8
        }
        while i < bytes.count {
            if bytes[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    /// The bytes of a bytes value; nil when the value is something else (an unkeyed container
    /// of numbers also decodes as `[UInt8]`, through `Array.init(from:)`).
    func readBytes(at start: Int, end: Int) throws(CodecError) -> [UInt8]? {
        let h = try head(at: start, end: end)
        guard h.major == BinaryFormat.bytes else { return nil }
        let stop = try BinaryFormat.payloadEnd(h, end: end)
        return Array(UnsafeRawBufferPointer(start: base + h.next, count: stop - h.next))
    }

    /// The end of the value at `start`.
    @inline(__always)
    func valueEnd(at start: Int, end: Int) throws(CodecError) -> Int {
        try BinaryFormat.valueEnd(at: start, end: end, in: base)
    }

    /// The body of the container at `start`, which must be of kind `major`.
    func body(of major: UInt8, at start: Int, end: Int) throws(CodecError) -> Range<Int> {
        let h = try head(at: start, end: end)
        guard h.major == major else {
            throw mismatch(expected: major == BinaryFormat.keyed ? "a keyed container" : "an unkeyed container", h, at: start)
        }
        return h.next ..< (try BinaryFormat.payloadEnd(h, end: end))
    }

    // MARK: Errors and paths

    func mismatch(expected: String, _ found: BinaryFormat.Head, at position: Int) -> CodecError {
        .typeMismatch(expected: expected, found: BinaryFormat.kindName(found), path: path(to: position))
    }

    func path(to position: Int) -> String {
        CodecPath.describe(CodecPath.components(to: position, in: base, count: count, memo: pathMemo))
    }

    func codingPath(to position: Int) -> [any CodingKey] {
        CodecPath.codingKeys(CodecPath.components(to: position, in: base, count: count, memo: pathMemo))
    }
}
