/// The (held, acquired) lock pairs one thread has already put into the lock-order graph, so
/// that repeating an acquisition costs a probe here instead of the graph's lock
/// (lockdep's "each chain is validated once").
///
/// Owned by one thread, never shared. Lock ids are never reused, so an entry cannot go stale in
/// a harmful way; the table is simply emptied when it fills up (the next acquisitions of each
/// pair are validated again, which is correct, only slower). Open addressing in a buffer that
/// is allocated on first insert: no reference counting on the acquire path.
struct LockPairCache: ~Copyable {
    struct Pair: Equatable {
        var held: UInt64
        var acquired: UInt64
    }

    private static let capacityBits = 10
    private static let capacity = 1 << capacityBits
    static let empty = Pair(held: 0, acquired: 0)
    /// Invariant: nil, or `capacity` initialized pairs owned by this value.
    private var slots: UnsafeMutablePointer<Pair>?
    private var count = 0

    init() {}

    deinit { slots?.deallocate() }

    func contains(held: UInt64, acquired: UInt64) -> Bool {
        guard let slots else { return false }
        let pair = Pair(held: held, acquired: acquired)
        var index = Self.slot(pair)
        while true {
            if slots[index] == pair { return true }
            if slots[index] == Self.empty { return false }
            index = (index + 1) & (Self.capacity - 1)
        }
    }

    mutating func insert(held: UInt64, acquired: UInt64) {
        let slots = self.slots ?? UnsafeMutablePointer<Pair>.allocate(capacity: Self.capacity)
        if self.slots == nil || count >= Self.capacity * 3 / 4 {
            slots.initialize(repeating: Self.empty, count: Self.capacity)
            self.slots = slots
            count = 0
        }
        let pair = Pair(held: held, acquired: acquired)
        var index = Self.slot(pair)
        while slots[index] != Self.empty {
            if slots[index] == pair { return }
            index = (index + 1) & (Self.capacity - 1)
        }
        slots[index] = pair
        count += 1
    }

    /// Multiplicative hashing: ids are small consecutive numbers, so mix both before taking the
    /// top bits.
    private static func slot(_ pair: Pair) -> Int {
        let mixed = (pair.held &* 0x9E37_79B9_7F4A_7C15) ^ (pair.acquired &* 0xC2B2_AE3D_27D4_EB4F)
        return Int(truncatingIfNeeded: mixed >> UInt64(64 - capacityBits))
    }
}
