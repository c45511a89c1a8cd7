@testable import Multitask

/// Value types shared by the codec tests.
struct Small: Codable, Equatable {
    var id: Int
    var score: Double
    var name: String
}

struct Everything: Codable, Equatable {
    var int8: Int8 = .min
    var int16: Int16 = .max
    var int32: Int32 = -123_456
    var int64: Int64 = .min
    var int: Int = .max
    var uint8: UInt8 = .max
    var uint16: UInt16 = 0
    var uint32: UInt32 = .max
    var uint64: UInt64 = .max
    var uint: UInt = 1 << 40
    var float: Float = -0.5
    var double: Double = .pi
    var flag = true
    var text = "grüße 👋"
    var bytes: [UInt8] = [0, 1, 2, 255]
    var present: Int? = 4
    var absent: String? = nil
    var doubleOptional: Int?? = .some(nil)
    var nested: [[Int]] = [[1, 2], [], [-3]]
    var table: [String: Int] = ["a": 1, "ü": -2]
    var numbered: [Int: String] = [-1: "minus", 0: "zero", 1 << 40: "big"]
    var shapes: [Shape] = [.circle(radius: 1), .empty]
}

indirect enum Shape: Codable, Equatable {
    case circle(radius: Double)
    case rect(Double, Double)
    case empty
    case labeled(name: String, inner: Shape?)
}

/// A superclass with a subclass that encodes it through `superEncoder()`.
class Animal: Codable, Equatable {
    var name: String
    var legs: Int

    init(name: String, legs: Int) {
        self.name = name
        self.legs = legs
    }

    static func == (lhs: Animal, rhs: Animal) -> Bool {
        type(of: lhs) == type(of: rhs) && lhs.name == rhs.name && lhs.legs == rhs.legs && lhs.extraEquals(rhs)
    }

    func extraEquals(_ other: Animal) -> Bool { true }
}

final class Dog: Animal {
    var breed: String

    init(name: String, breed: String) {
        self.breed = breed
        super.init(name: name, legs: 4)
    }

    private enum CodingKeys: String, CodingKey { case breed }

    required init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        breed = try container.decode(String.self, forKey: .breed)
        try super.init(from: container.superDecoder())
    }

    override func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(breed, forKey: .breed)
        try super.encode(to: container.superEncoder())
    }

    override func extraEquals(_ other: Animal) -> Bool { breed == (other as? Dog)?.breed }
}

/// A subclass that shares its encoder with the superclass (one keyed container, merged keys).
final class Cat: Animal {
    var lives: Int

    init(name: String, lives: Int) {
        self.lives = lives
        super.init(name: name, legs: 4)
    }

    private enum CodingKeys: String, CodingKey { case lives }

    required init(from decoder: any Decoder) throws {
        lives = try decoder.container(keyedBy: CodingKeys.self).decode(Int.self, forKey: .lives)
        try super.init(from: decoder)
    }

    override func encode(to encoder: any Encoder) throws {
        try super.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(lives, forKey: .lives)
    }

    override func extraEquals(_ other: Animal) -> Bool { lives == (other as? Cat)?.lives }
}

/// A value nested as deeply as its bytes say: unkeyed containers inside each other.
struct Russian: Codable, Equatable {
    var dolls: [Russian]

    init(dolls: [Russian]) { self.dolls = dolls }
    init(from decoder: any Decoder) throws { dolls = try [Russian](from: decoder) }
    func encode(to encoder: any Encoder) throws { try dolls.encode(to: encoder) }

    static func nested(_ depth: Int) -> Russian {
        var doll = Russian(dolls: [])
        for _ in 0..<depth { doll = Russian(dolls: [doll]) }
        return doll
    }
}

/// A deterministic generator for fuzzing (SplitMix64).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func roundTrip<T: Codable>(_ value: T, maxDepth: Int = BinaryEncoder.defaultMaxDepth) throws -> T {
    let bytes = try BinaryEncoder(maxDepth: maxDepth).encode(value)
    return try BinaryDecoder(maxDepth: maxDepth).decode(T.self, from: bytes)
}
