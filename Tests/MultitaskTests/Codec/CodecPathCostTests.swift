import Testing
@testable import Multitask

/// A value whose `init(from:)` tries an `Int` first and falls back to a `String`: every
/// element stored as a string costs a caught type mismatch, whose error carries a path.
struct LenientNumber: Decodable {
    var value: Int

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            value = number
        } else {
            value = Int(try container.decode(String.self)) ?? -1
        }
    }
}

/// Error paths are built on demand; catching a mismatch per element must stay linear.
@Suite("Coding paths of caught errors", .timeLimit(.minutes(1)))
struct CodecPathCostTests {
    /// Decodes `count` string elements as `LenientNumber`s and returns how many values the
    /// path walks skipped over: the work that was quadratic when each walk began at the root.
    func skippedValues(count: Int) throws -> Int {
        let bytes = try BinaryEncoder().encode(["items": (0..<count).map { String($0) }])
        return try bytes.withUnsafeBytes { raw in
            let state = BinaryDecodingState(input: BinaryInput(base: raw.baseAddress!, count: raw.count),
                                            maxDepth: BinaryEncoder.defaultMaxDepth, userInfo: [:])
            defer { state.close() }
            let decoded = try state.decodeValue([String: [LenientNumber]].self, at: 0, end: raw.count)
            #expect(decoded["items"]?.count == count)
            #expect(decoded["items"]?.last?.value == count - 1)
            return state.skipped
        }
    }

    @Test("80,000 caught type mismatches in one decode cost work linear in the elements")
    func linear() throws {
        let small = try skippedValues(count: 10_000)
        let large = try skippedValues(count: 80_000)
        // Walking from the root each time skipped n²/2 values (3.2 × 10⁹ for 80,000).
        #expect(large <= 2 * 80_000, "path walks skipped \(large) values for 80,000 elements")
        #expect(large <= 10 * max(small, 1), "10,000 elements: \(small) skipped; 80,000: \(large)")
    }

    @Test("the path of each caught mismatch is still exact")
    func pathsStayExact() throws {
        struct Probe: Decodable {
            var paths: [String] = []
            init(from decoder: any Decoder) throws {
                var container = try decoder.unkeyedContainer()
                while !container.isAtEnd {
                    do {
                        _ = try container.decode(Int.self)
                    } catch CodecError.typeMismatch(_, _, let path) {
                        paths.append(path)
                        _ = try container.decode(String.self)
                    }
                }
            }
        }
        let bytes = try BinaryEncoder().encode(["a": ["x"], "b": ["1", "2"]] as [String: [String]])
        let table = try BinaryDecoder().decode([String: Probe].self, from: bytes)
        #expect(table["a"]?.paths == ["a[0]"])
        #expect(table["b"]?.paths == ["b[0]", "b[1]"])
    }
}
