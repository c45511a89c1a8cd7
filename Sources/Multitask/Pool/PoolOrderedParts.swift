/// The parts of a `map` computed separately (chunks), joined in input order once every part
/// is in; the whole fails with the failure of the first failed part in input order (what
/// Python's `map` raises), whichever finished first.
///
/// A plain value: its owner guards it with its own lock, and counts the parts that are in
/// (parts that succeeded with values kept elsewhere need not be recorded here).
struct PoolOrderedParts<Value> {
    private var parts: [[Value]]
    private var firstFailure: (index: Int, error: any Error)?
    private let keepsValues: Bool

    /// `count` parts; `keepsValues: false` keeps failures only (their owner keeps the values
    /// elsewhere, or needs none).
    init(count: Int, keepsValues: Bool = true) {
        parts = Array(repeating: [], count: keepsValues ? count : 0)
        self.keepsValues = keepsValues
    }

    /// Records part `index`.
    mutating func record(_ index: Int, _ outcome: Result<[Value], any Error>) {
        switch outcome {
        case .success(let values):
            if keepsValues { parts[index] = values }
        case .failure(let error):
            if firstFailure.map({ index < $0.index }) ?? true { firstFailure = (index, error) }
        }
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
