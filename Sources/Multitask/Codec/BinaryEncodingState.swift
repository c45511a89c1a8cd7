/// The output and the open containers of one `BinaryEncoder` run.
///
/// Values are written front to back into `out`. A container gets a one-byte placeholder head
/// when it opens and its real length when it closes; a container closes when its parent writes
/// again (or when the value that opened it returns), so every container and encoder handed to
/// `encode(to:)` refers to a frame by the position of its head. Using a frame after it closed
/// records `CodecError.unsupported`, which `finish()` throws.
final class BinaryEncodingState {
    // The mutable properties skip the runtime exclusivity checks (a third of the run time
    // otherwise). Invariant: the state belongs to one encoding run on one thread, and no
    // access to a property spans a call into an `encode(to:)`.

    enum Kind { case keyed, unkeyed, slot }

    /// An open container, or a slot: the value of a `superEncoder()` not yet written.
    struct Frame: Equatable {
        var start: Int
        var kind: Kind
    }

    @exclusivity(unchecked) var out: [UInt8]
    /// Where this run's value starts in `out` (non-zero when appending to existing bytes).
    @exclusivity(unchecked) private(set) var root = 0
    let maxDepth: Int
    let userInfo: [CodingUserInfoKey: Any]
    /// Open frames, innermost last; their `start`s never decrease from bottom to top.
    @exclusivity(unchecked) private var frames: [Frame] = []
    @exclusivity(unchecked) private var depth = 0
    /// The first misuse seen by a call that cannot throw.
    @exclusivity(unchecked) private var failure: CodecError?

    init(maxDepth: Int, userInfo: [CodingUserInfoKey: any Sendable]) {
        self.out = []
        self.maxDepth = maxDepth
        self.userInfo = userInfo.isEmpty ? [:] : userInfo.mapValues { $0 }
    }

    /// Takes `bytes` as the output without copying; the value goes after its contents.
    /// `release(into:)` gives the buffer back.
    func adopt(_ bytes: inout [UInt8]) {
        swap(&out, &bytes)
        root = out.count
    }

    /// Gives the output back to `bytes`; on failure without this run's partial value.
    func release(into bytes: inout [UInt8], keepingValue: Bool) {
        if !keepingValue { out.removeSubrange(root...) }
        swap(&out, &bytes)
    }

    // MARK: Frames

    /// Makes the frame at `start` the innermost one, closing every frame opened inside it.
    @inline(__always)
    func enter(_ start: Int, _ kind: Kind) throws(CodecError) {
        if let last = frames.last, last.start == start, last.kind == kind { return }
        try enterSlow(start, kind)
    }

    private func enterSlow(_ start: Int, _ kind: Kind) throws(CodecError) {
        var index = frames.count - 1
        while index >= 0 && frames[index].start >= start {
            if frames[index].start == start && frames[index].kind == kind {
                while frames.count > index + 1 { closeInnermost() }
                return
            }
            index -= 1
        }
        throw .unsupported("a container was used after its parent went on to the next value")
    }

    /// Opens a frame at the end of the output and returns its start.
    func open(_ kind: Kind) -> Int {
        let start = out.count
        switch kind {
        case .keyed: out.append(BinaryFormat.keyed << 5)
        case .unkeyed: out.append(BinaryFormat.unkeyed << 5)
        case .slot: break
        }
        frames.append(Frame(start: start, kind: kind))
        return start
    }

    private func closeInnermost() {
        let frame = frames.removeLast()
        switch frame.kind {
        case .slot:
            if out.count == frame.start { out.append(BinaryFormat.emptyKeyedByte) }
        case .keyed, .unkeyed:
            patchLength(of: frame.start)
        }
    }

    /// Writes the body length into the placeholder head at `start`, moving the body right when
    /// the length needs LEB128 bytes.
    func patchLength(of start: Int) {
        let length = out.count - start - 1
        let major = out[start] >> 5
        if length < Int(BinaryFormat.followingArgument) {
            out[start] = major << 5 | UInt8(length)
            return
        }
        let extra = BinaryFormat.lengthOfLEB128(UInt64(length))
        out.append(contentsOf: repeatElement(0, count: extra))
        out.withUnsafeMutableBytes { bytes in
            // Invariant: the body occupies start+1 ..< start+1+length, and `extra` bytes were appended.
            let body = bytes.baseAddress! + start + 1
            (body + extra).copyMemory(from: body, byteCount: length)
            bytes[start] = major << 5 | BinaryFormat.followingArgument
            var value = UInt64(length), p = start + 1
            while value >= 0x80 {
                bytes[p] = UInt8(truncatingIfNeeded: value) | 0x80
                value >>= 7
                p += 1
            }
            bytes[p] = UInt8(truncatingIfNeeded: value)
        }
    }

    /// Records a misuse found by a call that cannot throw; `finish()` throws it.
    func fail(_ error: CodecError) {
        if failure == nil { failure = error }
    }

    /// Closes every frame and throws the first recorded misuse.
    func finish() throws(CodecError) {
        while !frames.isEmpty { closeInnermost() }
        if let failure { throw failure }
    }

    /// The start of the container `encoder.container(keyedBy:)` or `unkeyedContainer()` gets for
    /// the value at `slot`: the one already open there, or a new one; nil on misuse.
    func container(_ kind: Kind, at slot: Int) -> Int? {
        var index = frames.count - 1
        while index >= 0 && frames[index].start >= slot {
            if frames[index].start == slot && frames[index].kind == kind {
                while frames.count > index + 1 { closeInnermost() }
                return slot
            }
            index -= 1
        }
        if out.count == slot { return open(kind) }
        fail(.unsupported("a container was requested for a value that is already written"))
        return nil
    }

    /// Throws unless the value at `slot` is still unwritten (single-value containers).
    func checkUnwritten(_ slot: Int) throws(CodecError) {
        guard out.count == slot else {
            throw .unsupported("a single-value container encoded twice, or after its parent went on")
        }
    }

    // MARK: Values

    /// Writes any value; primitives, `[UInt8]`, optionals and arrays of primitives without
    /// calling `encode(to:)`.
    func encodeValue<T: Encodable>(_ value: T) throws {
        if BinaryFormat.appendPrimitive(value, to: &out) { return }
        if let direct = T.self as? any BinaryDirectEncodable.Type {
            return try direct.encode(value, into: self)
        }
        try encodeComposite(value)
    }

    private func encodeComposite<T: Encodable>(_ value: T) throws {
        depth += 1
        defer { depth -= 1 }
        guard depth <= maxDepth else { throw CodecError.tooDeep(limit: maxDepth) }
        let slot = out.count, mark = frames.count, parent = frames.last
        try value.encode(to: BinaryEncoderImpl(state: self, slot: slot))
        // The value's own frames lie above `mark`; its parent must still be open below them.
        guard frames.count >= mark, mark == 0 || frames[mark - 1] == parent else {
            throw CodecError.unsupported("\(T.self).encode(to:) wrote into an enclosing container")
        }
        while frames.count > mark { closeInnermost() }
        // A value that encodes nothing stands as an empty keyed container, as in JSONEncoder.
        if out.count == slot { out.append(BinaryFormat.emptyKeyedByte) }
    }

    /// Writes an optional; a payload that would read as nil or as another optional gets a
    /// `some` marker, so `Optional<Optional<Int>>.some(nil)` stays distinct from nil.
    func encodeOptional<Wrapped: Encodable>(_ value: Wrapped?) throws {
        guard let value else { return out.append(BinaryFormat.nilByte) }
        let start = out.count
        try encodeValue(value)
        if start < out.count && (out[start] == BinaryFormat.nilByte || out[start] == BinaryFormat.someByte) {
            out.insert(BinaryFormat.someByte, at: start)
        }
    }

    /// Writes an array of primitives as an unkeyed container, element by element; the common
    /// element types get a loop of their own, free of generic dispatch.
    func encodeScalars<Element: BinaryScalar>(_ elements: [Element]) {
        switch ObjectIdentifier(Element.self) {
        case ObjectIdentifier(Int.self): writeScalars(unsafeBitCast(elements, to: [Int].self))
        case ObjectIdentifier(Double.self): writeScalars(unsafeBitCast(elements, to: [Double].self))
        case ObjectIdentifier(String.self): writeScalars(unsafeBitCast(elements, to: [String].self))
        case ObjectIdentifier(Float.self): writeScalars(unsafeBitCast(elements, to: [Float].self))
        default: writeScalars(elements)
        }
    }

    @inline(__always)
    private func writeScalars<Element: BinaryScalar>(_ elements: [Element]) {
        let start = out.count
        out.append(BinaryFormat.unkeyed << 5)
        for element in elements { Element.write(element, to: &out) }
        patchLength(of: start)
    }

    @inline(__always) func writeNil() { out.append(BinaryFormat.nilByte) }

    /// Writes a key: its `intValue` when it has one, else its `stringValue`.
    @inline(__always)
    func writeKey<Key: CodingKey>(_ key: Key) {
        if let int = key.intValue {
            BinaryFormat.appendInteger(Int64(int), to: &out)
        } else {
            BinaryFormat.appendString(key.stringValue, to: &out)
        }
    }

    /// The path to the value at `position`, rebuilt from the output.
    func codingPath(to position: Int) -> [any CodingKey] {
        guard position > root else { return [] }
        let open = frames.filter { $0.kind != .slot }.map { $0.start - root }
        return out.withUnsafeBytes { bytes in
            CodecPath.codingKeys(CodecPath.components(
                to: position - root, in: bytes.baseAddress! + root, count: bytes.count - root, open: open))
        }
    }
}
