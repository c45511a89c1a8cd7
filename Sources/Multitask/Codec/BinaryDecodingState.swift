/// The input and the bookkeeping of one `BinaryDecoder` run.
///
/// Every read is bounds-checked against the end of the value being read, which never exceeds
/// the input; every length is checked against the bytes that remain before anything is
/// allocated for it; `init(from:)` calls nest at most `maxDepth` deep. Containers and
/// decoders that outlive the run (an `init(from:)` that stores its decoder) throw instead of
/// reading memory the caller may have freed. The state is its input's path memo (see
/// `CodecPath.Memo`), so catching many mismatches in one run costs linear time.
final class BinaryDecodingState: CodecPath.Memo {
    // The mutable properties skip the runtime exclusivity checks (see BinaryEncodingState).
    // Invariant: the state belongs to one decoding run on one thread, and no access to a
    // property spans a call into an `init(from:)`.

    /// Invariant: readable while `isAlive`.
    @exclusivity(unchecked) private(set) var input: BinaryInput
    let maxDepth: Int
    let userInfo: [CodingUserInfoKey: Any]
    @exclusivity(unchecked) private(set) var depth = 0
    @exclusivity(unchecked) private var isAlive = true

    /// Per nesting depth (modulo 8), where the last lookup in a keyed container ended: keys
    /// read in the order they were written are found in O(1). A hint is only a starting point;
    /// a stale one costs a scan, never a wrong answer.
    private struct Hint {
        var body: Int
        var next: Int
    }
    @exclusivity(unchecked) private var hints = InlineArray<8, Hint>(repeating: Hint(body: -1, next: 0))

    init(input: BinaryInput, maxDepth: Int, userInfo: [CodingUserInfoKey: any Sendable]) {
        self.input = input
        self.maxDepth = maxDepth
        self.userInfo = userInfo.isEmpty ? [:] : userInfo.mapValues { $0 }
        super.init()
        self.input.pathMemo = self
    }

    var base: UnsafeRawPointer { input.base }

    /// Ends the run: the input may go away, later reads throw.
    func close() { isAlive = false }

    // MARK: Reading

    /// Throws once the run has ended. Every way into the input passes here first.
    @inline(__always)
    private func checkAlive(_ position: Int) throws(CodecError) {
        guard isAlive else { throw .invalid("decoder used after decoding finished", offset: position) }
    }

    @inline(__always)
    func head(at position: Int, end: Int) throws(CodecError) -> BinaryFormat.Head {
        try checkAlive(position)
        return try input.head(at: position, end: end)
    }

    /// The end of the value at `start`.
    @inline(__always)
    func valueEnd(at start: Int, end: Int) throws(CodecError) -> Int {
        try checkAlive(start)
        return try input.valueEnd(at: start, end: end)
    }

    /// The body of the container at `start`, which must be of kind `major`.
    func body(of major: UInt8, at start: Int, end: Int) throws(CodecError) -> Range<Int> {
        try checkAlive(start)
        return try input.body(of: major, at: start, end: end)
    }

    /// Reads any value; primitives, `[UInt8]`, optionals and arrays of primitives without
    /// calling `init(from:)`.
    func decodeValue<T: Decodable>(_ type: T.Type, at start: Int, end: Int) throws -> T {
        try checkAlive(start)
        if BinaryInput.isPrimitive(T.self) { return try input.readPrimitive(T.self, at: start, end: end) }
        if let bytes = try input.readBytesIfBytes(T.self, at: start, end: end) { return unsafeBitCast(bytes, to: T.self) }
        if let direct = T.self as? any BinaryDirectDecodable.Type {
            return try direct.decode(as: T.self, from: self, at: start, end: end)
        }
        depth += 1
        defer { depth -= 1 }
        guard depth <= maxDepth else { throw CodecError.tooDeep(limit: maxDepth) }
        return try T(from: BinaryDecoderImpl(state: self, start: start, end: end))
    }

    /// Reads an optional: nil, a `some` marker and its payload, or the payload alone.
    func decodeOptional<Wrapped: Decodable>(_ type: Wrapped.Type, at start: Int, end: Int) throws -> Wrapped? {
        let h = try head(at: start, end: end)
        if h.isNil { return nil }
        return try decodeValue(Wrapped.self, at: h.isSome ? h.next : start, end: end)
    }

    // MARK: Keyed lookups

    func resumePosition(depth: Int, body: Int) -> Int {
        let hint = hints[depth & 7]
        return hint.body == body ? hint.next : body
    }

    func rememberPosition(depth: Int, body: Int, next: Int) {
        hints[depth & 7] = Hint(body: body, next: next)
    }

    // MARK: Errors and paths

    func path(to position: Int) -> String {
        isAlive ? input.path(to: position) : "?"
    }

    func codingPath(to position: Int) -> [any CodingKey] {
        isAlive ? input.codingPath(to: position) : []
    }
}
