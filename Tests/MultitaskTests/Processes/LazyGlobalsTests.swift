import Foundation
import Testing
@testable import Multitask

@_silgen_name("swift_demangle")
private func swiftDemangle(
    _ mangled: UnsafePointer<CChar>?, _ length: Int, _ output: UnsafeMutablePointer<CChar>?,
    _ outputSize: UnsafeMutablePointer<Int>?, _ flags: UInt32
) -> UnsafeMutablePointer<CChar>?

@Suite("Every lazily initialised global of the library is initialised before a fork")
struct LazyGlobalsTests {
    /// "File: name" for each one-time initialisation token in the library's object files
    /// (the compiler makes one for every global it cannot initialise statically).
    static func compiledLazyGlobals() throws -> [String] {
        let testBinary = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let buildDirectory = URL(fileURLWithPath: testBinary).deletingLastPathComponent().appendingPathComponent("Multitask.build")
        let objects = try FileManager.default.contentsOfDirectory(atPath: buildDirectory.path).filter { $0.hasSuffix(".swift.o") }
        #expect(objects.count > 100, "object files not found in \(buildDirectory.path)")
        var found: [String] = []
        for object in objects {
            let nm = Foundation.Process()
            nm.executableURL = URL(fileURLWithPath: "/usr/bin/nm")
            nm.arguments = ["--defined-only", buildDirectory.appendingPathComponent(object).path]
            let output = Pipe()
            nm.standardOutput = output
            try nm.run()
            let listing = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            nm.waitUntilExit()
            let file = String(object.dropLast(".swift.o".count))
            for line in listing.split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count == 3, fields[2].hasSuffix("Wz"), "bBdDvV".contains(fields[1]) else { continue }
                let mangled = String(fields[2])
                guard let raw = mangled.withCString({ swiftDemangle($0, mangled.utf8.count, nil, nil, 0) }) else { continue }
                defer { free(raw) }
                // "one-time initialization token for NAME" or "… for (NAME in _PRIVATEDISCRIMINATOR)"
                var name = String(cString: raw).replacingOccurrences(of: "one-time initialization token for ", with: "")
                if name.hasPrefix("(") { name = String(name.dropFirst().prefix { $0 != " " }) }
                found.append("\(file): \(name)")
            }
        }
        return found.sorted()
    }

    @Test("the list of lazily initialised globals matches the compiled library")
    func listMatchesCompiledLibrary() throws {
        let compiled = try Self.compiledLazyGlobals()
        #expect(compiled.count > 20, "too few one-time initialisation tokens found: \(compiled)")
        let listed = LazyGlobals.entries.map { "\($0.file): \($0.name)" }.sorted()
        let missing = compiled.filter { !listed.contains($0) }
        let stale = listed.filter { !compiled.contains($0) }
        #expect(missing.isEmpty, "lazily initialised but not in LazyGlobals.entries: \(missing)")
        // Release builds initialise more globals statically: an entry may be unneeded there.
        #expect(stale.isEmpty || !_isDebugAssertConfiguration(), "in LazyGlobals.entries but not lazily initialised: \(stale)")
    }
}
