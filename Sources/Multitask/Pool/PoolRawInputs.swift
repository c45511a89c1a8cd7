/// The inputs of one `map` as their raw bytes, shared by all of its chunks, for
/// `BitwiseCodable` inputs: the dispatcher writes a chunk into its frame straight from here,
/// so a chunk needs no encoded array of its own (one copy of the inputs per `map`, not one
/// array per chunk).
final class PoolRawInputs: Sendable {
    private let bytes: [UInt8]
    /// The size of one input.
    let elementSize: Int

    /// The bytes of `elements`, whose type travels raw (see ``PoolArrayCodec``) with
    /// `elementSize` bytes each.
    init<Element>(_ elements: [Element], elementSize: Int) {
        self.elementSize = elementSize
        bytes = elements.withUnsafeBytes { Array($0) }
    }

    /// Calls `body` with the bytes of the inputs `items` (valid only during the call).
    func withBytes<Result>(of items: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try bytes.withUnsafeBytes { all in
            try body(UnsafeRawBufferPointer(rebasing: all[items.lowerBound * elementSize..<items.upperBound * elementSize]))
        }
    }
}
