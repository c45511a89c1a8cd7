import Glibc
import SystemPackage

/// Runs another program to completion and returns what it printed — Python's
/// `subprocess.check_output`.
///
/// The program is looked up on `PATH` unless its name contains a slash; it gets this process's
/// environment and stdin from `/dev/null`. Standard error is shared with the caller.
///
/// ```swift
/// let version = try ProgramOutput.of(["python3", "--version"])
/// ```
package enum ProgramOutput {
    /// Why a program's output could not be collected.
    package struct Failure: Error, CustomStringConvertible {
        /// What went wrong, for a person.
        package let description: String
    }

    /// Runs `arguments` (the program first) and returns its standard output; throws unless it
    /// starts and exits with status 0. The corresponding C function is `posix_spawnp`.
    package static func of(_ arguments: [String]) throws(Failure) -> String {
        precondition(!arguments.isEmpty, "ProgramOutput.of: arguments must name a program")
        let pipe: (readEnd: FileDescriptor, writeEnd: FileDescriptor)
        do { pipe = try FileDescriptor.closeOnExecPipe() } catch {
            throw Failure(description: "pipe failed (errno \(error.rawValue))")
        }
        defer { try? pipe.readEnd.close() }
        var spawn = Spawn(path: arguments[0], arguments: arguments, environment: Environment.entries,
                          fileActions: [.duplicate(pipe.writeEnd.rawValue, to: 1), .readOnly("/dev/null", at: 0)])
        spawn.searchesPath = true
        spawn.clearsSignalMask = false
        let started: Result<Int32, Errno>
        do throws(Errno) { started = .success(try spawn.run()) } catch { started = .failure(error) }
        try? pipe.writeEnd.close()
        let pid: Int32
        switch started {
        case .success(let child): pid = child
        case .failure(let error): throw Failure(description: "cannot start \(arguments[0]): \(error)")
        }
        let bytes = (try? pipe.readEnd.readToEnd()) ?? []
        let status = ProcessControl.waitForExit(pid) ?? 0
        guard status == 0 else { throw Failure(description: "\(arguments[0]) exited with status \(status)") }
        return String(decoding: bytes, as: UTF8.self)
    }
}
