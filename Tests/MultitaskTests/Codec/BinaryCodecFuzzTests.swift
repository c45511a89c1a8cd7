import Testing
@testable import Multitask

@Suite("Binary codec on hostile input")
struct BinaryCodecFuzzTests {
    /// Decodes `bytes` as `T`; passes when decoding succeeds or throws a codec or decoding error.
    /// A trap or a hang fails the whole test run, which is the point.
    @discardableResult
    private func survive<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) -> Bool {
        do {
            _ = try BinaryDecoder().decode(T.self, from: bytes)
            return true
        } catch is CodecError {
            return false
        } catch is DecodingError {
            return false   // thrown by synthesized init(from:), e.g. an enum with two case keys
        } catch {
            Issue.record("unexpected error \(error)")
            return false
        }
    }

    private struct Target {
        let name: String
        let seeds: [[UInt8]]
        let decode: ([UInt8]) -> Bool
    }

    private func targets() throws -> [Target] {
        let encoder = BinaryEncoder()
        func target<T: Codable>(_ name: String, _ values: [T]) throws -> Target {
            Target(name: name, seeds: try values.map { try encoder.encode($0) }, decode: { survive(T.self, $0) })
        }
        let dog = Dog(name: "Rex", breed: "collie")
        return [
            try target("Everything", [Everything()]),
            try target("Shape", [Shape.labeled(name: "l", inner: .rect(1, 2)), .circle(radius: 3), .empty]),
            try target("[String: [Int?]]", [["a": [1, nil, -3], "bb": [], "": [nil]]]),
            try target("[Int: String]", [[1: "one", -7: "minus seven", 1 << 33: ""]]),
            try target("Int??", [Int??.some(nil), .some(.some(5)), .none]),
            try target("[String]", [["", "grüße", "日本"]]),
            try target("Dog", [dog]),
            try target("[Small]", [[Small(id: 1, score: 0.1, name: "x"), Small(id: -1, score: .nan, name: "")]]),
            try target("Russian", [Russian.nested(20)]),
            try target("[UInt8]", [[1, 2, 3, 255]]),
            try target("[Double: Int]", [[1.5: 1, -2: 2]]),
            try target("[Int]", [[0, -1, 1 << 40, .min, 30, 31]]),
            try target("[Double]", [[0.1, 1.5, .nan, -.infinity]]),
        ]
    }

    @Test("10^4+ random, truncated and mutated inputs decode or throw, never crash")
    func fuzz() throws {
        var random = SplitMix64(state: 0xC0DEC)
        var runs = 0, successes = 0
        for target in try targets() {
            for seed in target.seeds {
                // The seed itself decodes.
                #expect(target.decode(seed), "seed of \(target.name) should decode")
                // Every truncation.
                for length in 0..<seed.count where target.decode(Array(seed[..<length])) {
                    Issue.record("a truncation of \(target.name) to \(length) bytes decoded")
                }
                runs += seed.count
                // Mutations: overwrite, insert, delete, flip bits, and splice random runs.
                for _ in 0..<600 {
                    var bytes = seed
                    for _ in 0...Int.random(in: 0...3, using: &random) {
                        let at = Int.random(in: 0..<max(bytes.count, 1), using: &random)
                        switch Int.random(in: 0..<5, using: &random) {
                        case 0 where !bytes.isEmpty: bytes[at] = UInt8.random(in: 0...255, using: &random)
                        case 1: bytes.insert(UInt8.random(in: 0...255, using: &random), at: min(at, bytes.count))
                        case 2 where !bytes.isEmpty: bytes.remove(at: at)
                        case 3 where !bytes.isEmpty: bytes[at] ^= 1 << UInt8.random(in: 0..<8, using: &random)
                        default:
                            let run = (0..<Int.random(in: 1...8, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                            bytes.insert(contentsOf: run, at: min(at, bytes.count))
                        }
                    }
                    if target.decode(bytes) { successes += 1 }
                    runs += 1
                }
            }
            // Pure noise, biased toward container and length heads.
            for _ in 0..<400 {
                let bytes = (0..<Int.random(in: 0...48, using: &random)).map { _ in
                    Bool.random(using: &random) ? UInt8.random(in: 0...255, using: &random)
                        : [0x9F, 0xBF, 0x5F, 0x7F, 0xC5, 0xC0, 0xFF, 0x80][Int.random(in: 0..<8, using: &random)]
                }
                if target.decode(bytes) { successes += 1 }
                runs += 1
            }
        }
        #expect(runs >= 10_000)
        // Some mutations (a changed digit, a flipped bit in a string) still decode: fine.
        #expect(successes < runs)
    }

    @Test("a corrupt length claiming petabytes throws at once without allocating")
    func hugeLengths() throws {
        var huge: [UInt8] = []
        BinaryFormat.appendLEB128(1 << 50, to: &huge)
        let maximal: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]
        for major: UInt8 in [BinaryFormat.string, BinaryFormat.bytes, BinaryFormat.unkeyed, BinaryFormat.keyed] {
            for length in [huge, maximal] {
                let bytes = [major << 5 | 31] + length + [1, 2, 3]
                #expect(throws: CodecError.self) { try BinaryDecoder().decode(String.self, from: bytes) }
                #expect(throws: CodecError.self) { try BinaryDecoder().decode([UInt8].self, from: bytes) }
                #expect(throws: CodecError.self) { try BinaryDecoder().decode([Int].self, from: bytes) }
                #expect(throws: CodecError.self) { try BinaryDecoder().decode([String: Int].self, from: bytes) }
            }
        }
        // A number longer than 64 bits.
        let overlong: [UInt8] = [0x1F] + Array(repeating: 0xFF, count: 10) + [0x01]
        #expect(throws: CodecError.invalid("number longer than 64 bits", offset: 10)) {
            try BinaryDecoder().decode(UInt64.self, from: overlong)
        }
        // An unkeyed container's count is what its bytes hold, never what a header claims.
        var list = try BinaryEncoder().encode(Array(repeating: 1, count: 1000))
        list[list.count / 2] = 0xFF
        #expect(throws: CodecError.self) { try BinaryDecoder().decode([Int].self, from: list) }
    }

    @Test("hostile nesting 100k deep throws tooDeep instead of overflowing the stack")
    func deepNesting() throws {
        // 100_000 unkeyed containers, each holding the next, built inside out.
        let depth = 100_000
        var sizes = [Int](repeating: 1, count: depth + 1)   // sizes[i] = bytes of level i..depth
        for level in stride(from: depth - 1, through: 0, by: -1) {
            let body = sizes[level + 1]
            var head: [UInt8] = []
            BinaryFormat.appendHead(BinaryFormat.unkeyed, UInt64(body), to: &head)
            sizes[level] = head.count + body
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(sizes[0])
        for level in 0..<depth { BinaryFormat.appendHead(BinaryFormat.unkeyed, UInt64(sizes[level + 1]), to: &bytes) }
        bytes.append(BinaryFormat.unkeyed << 5)
        #expect(bytes.count == sizes[0])
        #expect(throws: CodecError.tooDeep(limit: BinaryEncoder.defaultMaxDepth)) {
            try BinaryDecoder().decode(Russian.self, from: bytes)
        }
        // The same bytes as a flat [[Int]] fail on type, after skipping in O(1).
        #expect(throws: CodecError.self) { try BinaryDecoder().decode([[Int]].self, from: bytes) }
        // A long chain of `some` markers is skipped without recursion.
        let somes = Array(repeating: BinaryFormat.someByte, count: 1_000_000) + [BinaryFormat.nilByte]
        #expect(throws: CodecError.self) { try BinaryDecoder().decode(Int?.self, from: somes) }
    }

    @Test("the default depth limit is reachable without overflowing a thread's stack")
    func defaultDepthFits() throws {
        final class Outcome: @unchecked Sendable { var survived = false }
        let doll = Russian.nested(BinaryEncoder.defaultMaxDepth - 1)
        let outcome = Outcome()
        // A secondary thread (the smallest stack a caller is likely to have) runs the deepest legal round trip.
        let thread = Thread { outcome.survived = (try? roundTrip(doll)) == doll }
        thread.start()
        thread.join()
        #expect(outcome.survived)
    }

    @Test("trailing bytes, empty input and invalid UTF-8 throw")
    func malformed() throws {
        #expect(throws: CodecError.trailingBytes(count: 1)) { try BinaryDecoder().decode(Int.self, from: [1, 2]) }
        #expect(throws: CodecError.truncated(offset: 0)) { try BinaryDecoder().decode(Int.self, from: []) }
        #expect(throws: CodecError.invalid("string is not valid UTF-8", offset: 1)) {
            try BinaryDecoder().decode(String.self, from: [0x42, 0xC3, 0x28])
        }
        #expect(throws: CodecError.invalid("reserved major type 7", offset: 0)) {
            try BinaryDecoder().decode(Int.self, from: [0xE0])
        }
        #expect(throws: CodecError.self) { try BinaryDecoder().decode(Bool.self, from: [BinaryFormat.nilByte]) }
    }
}
