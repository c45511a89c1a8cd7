import Glibc
import SystemPackage
@testable import Multitask

/// Type-checks a snippet that imports Multitask against the modules of this very build, for
/// tests of what must not compile.
///
/// The compiler is `swiftc` from `PATH`; the modules are the ones beside the test bundle
/// (`Modules/`), with the module maps of the C targets Multitask imports (its shim, built
/// beside it, and swift-system's `CSystem`, in the package's checkouts).
enum CompileCheck {
    struct Outcome {
        var succeeded: Bool
        var diagnostics: String
    }

    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    /// Type-checks `source`; throws ``Unavailable`` when the compiler or this build's modules
    /// cannot be found.
    static func typecheck(_ source: String) throws -> Outcome {
        let build = try FilePath(readLink("/proc/self/exe")).removingLastComponent()
        // The test bundle sits in `<scratch>/<triple>/debug`; checkouts are in `<scratch>`.
        let scratch = build.removingLastComponent().removingLastComponent()
        let shim = build.appending("CShim.build/module.modulemap").string
        let system = scratch.appending("checkouts/swift-system/Sources/CSystem/include/module.modulemap").string
        guard let compiler = searchPath(for: "swiftc") else { throw Unavailable(description: "no swiftc on PATH") }
        for path in [shim, system] where access(path, R_OK) != 0 {
            throw Unavailable(description: "\(path) is missing")
        }
        let directory = try TemporaryDirectory()
        let file = directory.path + "/snippet.swift"
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Unavailable(description: "cannot write \(file)") }
        _ = try FileDescriptor(rawValue: fd).writeAll(source.utf8)
        close(fd)
        let run = try AdmissionProbe.run(
            [compiler, "-typecheck", "-module-cache-path", directory.path + "/cache",
             "-I", build.appending("Modules").string,
             "-Xcc", "-fmodule-map-file=\(shim)", "-Xcc", "-fmodule-map-file=\(system)", file],
            environment: ["PATH=/usr/bin:/bin", "HOME=\(directory.path)"], timeout: .seconds(120))
        return Outcome(succeeded: run.outcome == .exited(0), diagnostics: run.errors + run.output)
    }

    private static func searchPath(for tool: String) -> String? {
        let path = Environment.value("PATH") ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(tool)" }.first { access($0, X_OK) == 0 }
    }
}
