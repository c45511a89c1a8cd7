/// Where a lock was acquired: the `#fileID` and `#line` of the acquire call.
///
/// Kept as `StaticString` so passing it costs nothing until a diagnostic prints it.
struct AcquisitionSite: Sendable {
    let file: StaticString
    let line: UInt

    init(file: StaticString, line: UInt) {
        self.file = file
        self.line = line
    }
}

extension AcquisitionSite: CustomStringConvertible {
    /// `file:line`.
    var description: String { "\(file):\(line)" }
}
