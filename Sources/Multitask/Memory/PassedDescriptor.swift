import SystemPackage

/// A file descriptor inside a `Codable` value that travels to another process.
///
/// Encoded as is, the number is the descriptor in the encoding process, valid in fork children
/// (they inherit every descriptor). For any other child the descriptors travel beside the
/// value: whoever encodes a value for a spawned or fork-server child puts a ``Collector`` in
/// the encoder's `userInfo` under ``collectorKey``; each descriptor encoded then writes its
/// *slot* in the collector instead, and the launcher passes the collected descriptors to the
/// child in slot order. The child decodes with a ``Table`` (its own descriptor for each slot)
/// under ``tableKey``. Decoding does not duplicate: whoever keeps the descriptor beyond decoding
/// duplicates it, since the launcher closes the passed copies once the value is decoded.
///
/// A decoded number is only a claim: a handle decoded in a process the descriptor never
/// reached names whatever that process has open under the number. So every handle that
/// carries one also records the file's identity (device and inode) and checks it before
/// adopting the descriptor (`SharedMemoryHandle`, a `Connection` handle).
struct PassedDescriptor: Codable, Hashable, Sendable {
    /// The descriptor, in the process that holds this value.
    var rawValue: Int32

    init(rawValue: Int32) { self.rawValue = rawValue }

    /// A close-on-exec duplicate this process owns: what a decoded object keeps, since the
    /// passed copy is closed once the value carrying it is decoded.
    func duplicate() throws(Errno) -> Int32 {
        try FileDescriptor(rawValue: rawValue).duplicateCloseOnExec().rawValue
    }

    /// Collects the descriptors encoded with it in `userInfo`, each once, numbering them 0, 1,
    /// … in the order they are first met.
    final class Collector: Sendable {
        /// The descriptors in slot order, and the slot of each.
        private struct Slots {
            var collected: [Int32] = []
            var slots: [Int32: Int32] = [:]
        }

        private let state = LockedBox(Slots())

        init() {}

        /// The slot of `descriptor`, added if new.
        func slot(for descriptor: Int32) -> Int32 {
            state.withLock { state in
                if let slot = state.slots[descriptor] { return slot }
                let slot = Int32(state.collected.count)
                state.collected.append(descriptor)
                state.slots[descriptor] = slot
                return slot
            }
        }

        /// The descriptors the receiving process needs, in slot order.
        var descriptors: [Int32] { state.withLock { $0.collected } }
    }

    /// The receiving side of a ``Collector``: this process's descriptor for each slot.
    struct Table: Sendable {
        let descriptors: [Int32]
    }

    static let collectorKey = CodingUserInfoKey(rawValue: "multitask.descriptorCollector")!
    static let tableKey = CodingUserInfoKey(rawValue: "multitask.descriptorTable")!

    func encode(to encoder: any Encoder) throws {
        let collector = encoder.userInfo[Self.collectorKey] as? Collector
        var container = encoder.singleValueContainer()
        try container.encode(collector?.slot(for: rawValue) ?? rawValue)
    }

    init(from decoder: any Decoder) throws {
        let number = try decoder.singleValueContainer().decode(Int32.self)
        guard let table = decoder.userInfo[Self.tableKey] as? Table else {
            rawValue = number
            return
        }
        guard table.descriptors.indices.contains(Int(number)) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a passed descriptor refers to slot \(number), but \(table.descriptors.count) descriptors were passed"))
        }
        rawValue = table.descriptors[Int(number)]
    }
}
