/// The parts of a `map` computed separately (chunks), joined in input order once every part
/// is in; the whole fails with the failure of the first failed part in input order (what
/// Python's `map` raises), whichever finished first.
///
/// A plain value: its owner keeps it in a ``LockedBox``.
struct PoolOrderedParts<Value: Sendable>: Sendable {
    private var parts: [[Value]]
    private var firstFailure: (index: Int, error: any Error)?
    private var remaining: Int
    private let keepsValues: Bool

    /// `count` parts; `keepsValues: false` counts parts and failures only (their owner keeps
    /// the values elsewhere, or needs none).
    init(count: Int, keepsValues: Bool = true) {
        parts = Array(repeating: [], count: keepsValues ? count : 0)
        remaining = count
        self.keepsValues = keepsValues
    }

    /// Records part `index`; returns whether it was the last one missing.
    mutating func record(_ index: Int, _ outcome: Result<[Value], any Error>) -> Bool {
        switch outcome {
        case .success(let values):
            if keepsValues { parts[index] = values }
        case .failure(let error):
            if firstFailure.map({ index < $0.index }) ?? true { firstFailure = (index, error) }
        }
        remaining -= 1
        return remaining == 0
    }

    /// The failure of the first failed part in input order, if any.
    var failure: (any Error)? { firstFailure?.error }

    /// The whole list (the parts' values in order), or the first failure in input order; the
    /// parts are released.
    mutating func joined() -> Result<[Value], any Error> {
        if let failure { return .failure(failure) }
        defer { parts = [] }
        if parts.count == 1 { return .success(parts[0]) }
        var whole: [Value] = []
        whole.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts { whole.append(contentsOf: part) }
        return .success(whole)
    }
}

/// ``PoolOrderedParts`` shared by the threads that finish the parts: completes `whole` once
/// the last part is in.
final class PoolOrderedGather<Value: Sendable>: Sendable {
    private let parts: LockedBox<PoolOrderedParts<Value>>
    private let whole: AsyncResult<[Value]>

    init(parts count: Int, into whole: AsyncResult<[Value]>) {
        parts = LockedBox(PoolOrderedParts(count: count))
        self.whole = whole
        if count == 0 { whole.complete(.success([])) }
    }

    /// Part `index` finished with `outcome`.
    func finish(_ index: Int, _ outcome: Result<[Value], any Error>) {
        let joined: Result<[Value], any Error>? = parts.withLock { parts in
            parts.record(index, outcome) ? parts.joined() : nil
        }
        if let joined { whole.complete(joined) }
    }
}
