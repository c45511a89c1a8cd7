import Glibc
import SystemPackage
import Testing
@testable import Multitask

/// Drives `MultitaskAdmissionProbe`, the small program linking Multitask that the
/// child-admission tests start the way an intruder would (see `Tests/AdmissionProbe`).
struct AdmissionProbe {
    /// The probe binary, built beside the test bundle.
    let path: String

    /// The probe next to this test executable, or nil if it was not built.
    static let built: AdmissionProbe? = {
        guard let me = try? FilePath(readLink("/proc/self/exe")) else { return nil }
        let path = me.removingLastComponent().appending("MultitaskAdmissionProbe").string
        return access(path, X_OK) == 0 ? AdmissionProbe(path: path) : nil
    }()

    /// The mangled name of the probe's `MarkFile` entry.
    func entryTypeName() throws -> String {
        let run = try AdmissionProbe.run([path, "type-name"])
        return String(run.output.filter { !$0.isWhitespace })
    }

    /// A start payload naming the probe's `MarkFile` entry, which writes to `marker`.
    func startRequest(mode: String, marker: String) throws -> [UInt8] {
        let payload = try ChildPayload(entry: MarkFileShape(path: marker), typeName: try entryTypeName(), name: "intruder",
                                       isDaemon: false, identity: [9], startMethod: .spawn, parentPID: 1, parentName: "intruder")
        let bytes = try payload.serialized()
        guard mode == "forkserver" else { return bytes }
        return ForkServerMessage.start(request: 1, inheritsStandardInput: false, hasParentDescriptor: false, payload: bytes).encoded()
    }

    /// How a run of a program ended and what it wrote.
    struct Run {
        var outcome: ForkHelper.Outcome
        var output: String
        var errors: String
    }

    /// Runs `arguments` with `environment`, descriptor 3 set to `channel` if given, and
    /// standard output and error captured; killed if it runs longer than `timeout`.
    static func run(_ arguments: [String], environment: [String] = ["PATH=/usr/bin:/bin"], channel: CInt? = nil,
                    timeout: Duration = .seconds(30)) throws -> Run {
        let directory = try TemporaryDirectory()
        let output = directory.path + "/out", errors = directory.path + "/err"
        var program = Spawn(path: arguments[0], arguments: arguments, environment: environment)
        if let channel { program.fileActions.append(.duplicate(channel, to: 3)) }
        program.fileActions.append(.open(output, flags: O_WRONLY | O_CREAT | O_TRUNC, at: 1))
        program.fileActions.append(.open(errors, flags: O_WRONLY | O_CREAT | O_TRUNC, at: 2))
        program.fileActions.append(.closeFrom(channel == nil ? 3 : 4))
        let pid = try program.run()
        let outcome = ForkHelper.wait(pid, timeout: timeout)
        return Run(outcome: outcome, output: readFile(output) ?? "", errors: readFile(errors) ?? "")
    }
}

/// The same shape as the probe's `MarkFile`, so that its encoding is the probe's.
struct MarkFileShape: ProcessEntry {
    var path: String
    func run() throws {}
}

/// A directory under /tmp, removed with everything in it when the value goes away.
final class TemporaryDirectory {
    let path: String

    init(mode: mode_t = 0o700) throws {
        var template = Array("/tmp/multitask-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw Errno(rawValue: errno) }
        path = String(cString: made)
        chmod(path, mode)
    }

    deinit {
        _ = system("rm -rf '\(path)'")
    }
}

func readLink(_ path: String) throws -> String {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let count = readlink(path, &buffer, buffer.count - 1)
    guard count >= 0 else { throw Errno(rawValue: errno) }
    return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}
