/// Where a primitive was created, shown in diagnostics when it has no name.
public struct CreationSite: Sendable, Hashable, CustomStringConvertible {
    /// The file that created the primitive, as `#fileID` spells it.
    public let file: String
    /// The line of the creating call.
    public let line: Int

    /// A site from `#fileID` and `#line`.
    public init(file: StaticString, line: UInt) {
        self.file = "\(file)"
        self.line = Int(line)
    }

    /// `file:line`.
    public var description: String { "\(file):\(line)" }
}
