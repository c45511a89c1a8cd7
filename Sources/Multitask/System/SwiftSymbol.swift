import Glibc

@_silgen_name("swift_demangle")
private func swiftDemangle(
    _ mangled: UnsafePointer<CChar>?, _ length: Int, _ output: UnsafeMutablePointer<CChar>?,
    _ outputSize: UnsafeMutablePointer<Int>?, _ flags: UInt32
) -> UnsafeMutablePointer<CChar>?

/// Swift's symbol names as a reader sees them.
enum SwiftSymbol {
    /// The demangled form of a Swift symbol (`$s…`, `_$s…`); other names as they are. The
    /// corresponding C function is the Swift runtime's `swift_demangle`.
    ///
    /// ```swift
    /// SwiftSymbol.demangled("$sSiD")   // "Swift.Int"
    /// ```
    static func demangled(_ name: String) -> String {
        guard name.hasPrefix("$s") || name.hasPrefix("_$s"),
              let raw = name.withCString({ swiftDemangle($0, name.utf8.count, nil, nil, 0) })
        else { return name }
        defer { free(raw) }
        return String(cString: raw)
    }
}
