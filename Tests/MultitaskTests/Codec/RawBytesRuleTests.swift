import Testing
@testable import Multitask

/// A trivial enum: `_isPOD`, yet most bit patterns name no case.
enum Signal: UInt8, Codable, Sendable {
    case red, green
}

/// A trivial struct holding a `Bool`: not `BitwiseCodable`, so it must not travel raw.
struct Flagged: Codable, Equatable, Sendable {
    var value: Int
    var flag: Bool
}

/// A struct that opts in to raw bytes.
struct RawPoint: BitwiseCodable, Equatable {
    var x: Int32
    var y: Double
}

/// One rule decides raw bytes for Queue, Pipe and Pool: `BitwiseCodable` and trivial. A peer's
/// byte that is no valid `Bool` or enum value is an error, never an invalid value.
@Suite("The raw-bytes rule", .timeLimit(.minutes(1)))
struct RawBytesRuleTests {
    @Test("only BitwiseCodable trivial types are raw, in every channel")
    func rule() {
        #expect(RawBytesRule.applies(to: Int.self))
        #expect(RawBytesRule.applies(to: Double.self))
        #expect(RawBytesRule.applies(to: RawPoint.self))
        #expect(!RawBytesRule.applies(to: Bool.self))
        #expect(!RawBytesRule.applies(to: Signal.self))
        #expect(!RawBytesRule.applies(to: Flagged.self))
        #expect(!RawBytesRule.applies(to: String.self))
        #expect(!MessageCodec<Bool>().isRaw)
        #expect(!MessageCodec<Signal>().isRaw)
        #expect(MessageCodec<Int>().isRaw)
        #expect(PoolArrayCodec<Bool>().rawSize == nil)
        #expect(PoolArrayCodec<Signal>().rawSize == nil)
        #expect(PoolArrayCodec<Int>().rawSize == 8)
        #expect(!ConnectionCoding.isRaw(Bool.self))
        #expect(ConnectionCoding.isRaw(Int.self))
    }

    /// Puts `bytes` into `storage` as one element, as a peer process writing the shared queue
    /// would.
    func putRaw(_ bytes: [UInt8], into storage: QueueStorage) throws {
        try bytes.withUnsafeBytes { try storage.put($0, timeout: nil, blocking: true) }
    }

    @Test("Queue<Bool>, Queue of an enum and of a struct with a Bool round-trip and reject a peer's byte 0x07")
    func queues() throws {
        let bools = try Queue<Bool>()
        try bools.put(true)
        try bools.put(false)
        #expect(try bools.get() == true)
        #expect(try bools.get() == false)
        try putRaw([0x07], into: bools.storage)
        #expect(throws: QueueError.self) { try bools.get(timeout: .seconds(10)) }

        let signals = try SimpleQueue<Signal>()
        try signals.put(.green)
        #expect(try signals.get() == .green)
        try putRaw([0x07], into: signals.storage)
        #expect(throws: DecodingError.self) { try MessageCodec<Signal>().decode(from: [0x07]) }
        #expect(throws: QueueError.self) { try signals.get() }

        let flagged = try Queue<Flagged>()
        try flagged.put(Flagged(value: 3, flag: true))
        #expect(try flagged.get() == Flagged(value: 3, flag: true))
        try putRaw([UInt8](repeating: 0x07, count: MemoryLayout<Flagged>.size), into: flagged.storage)
        #expect(throws: QueueError.self) { try flagged.get(timeout: .seconds(10)) }

        let points = try Queue<RawPoint>()
        try points.put(RawPoint(x: 1, y: 2.5))
        #expect(try points.get() == RawPoint(x: 1, y: 2.5))
    }

    @Test("a Pipe rejects a peer's byte 0x07 as a Bool or an enum; the next message is intact")
    func pipes() throws {
        let (a, b) = try Connection.pipe()
        defer { a.close(); b.close() }
        try a.sendBytes([0x07])
        try a.send(true)
        try a.sendBytes([0x07])
        try a.send(Signal.green)
        #expect(b.poll(timeout: .seconds(20)))
        #expect(throws: ConnectionError.self) { try b.receive(Bool.self) }
        #expect(try b.receive(Bool.self) == true)
        #expect(b.poll(timeout: .seconds(20)))
        #expect(throws: ConnectionError.self) { try b.receive(Signal.self) }
        #expect(try b.receive(Signal.self) == .green)
    }
}
