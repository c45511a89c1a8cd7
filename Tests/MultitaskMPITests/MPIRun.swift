import Foundation

/// Runs the MPI probe (`MultitaskMPIProbe` built with the trait MPI) under `mpirun` or on its
/// own, bounded by `timeout`, and collects its output.
///
/// The probe is the one named by `MULTITASK_MPI_PROBE`, else the one beside this test bundle
/// when the bundle itself was built with the trait. So the suites run from the default build
/// too, given a probe from a build with the trait (`.ci/run` builds only the probe and the CLI
/// with it, not a second test bundle), and are skipped when there is none.
struct MPIRun {
    /// Standard output and error, together.
    let output: String
    /// The exit status (124 when the watchdog ended it).
    let status: Int32
    /// Wall time.
    let seconds: Double

    /// The probe's path, or nil when there is none built with the trait.
    static let probe: String? = {
        if let named = ProcessInfo.processInfo.environment["MULTITASK_MPI_PROBE"], !named.isEmpty {
            return FileManager.default.isExecutableFile(atPath: named) ? URL(fileURLWithPath: named).standardizedFileURL.path : nil
        }
        #if MPI
        let directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let path = directory.appendingPathComponent("MultitaskMPIProbe").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
        #else
        return nil
        #endif
    }()

    /// Whether `mpirun` and the probe are there.
    static var available: Bool { probe != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/mpirun") }

    /// `mpirun -n 3 [mca] probe scenario launched`, within `limit` seconds.
    static func launched(_ scenario: String, mca: [String] = [], limit: Int = 120) throws -> MPIRun {
        try run(["timeout", "-k", "5", String(limit), "mpirun", "-n", "3", "--oversubscribe"] + mca
                + ["-x", "MULTITASK_MPI_WORKERS=2", probe!, scenario, "launched"])
    }

    /// `probe scenario spawned` (no mpirun: the probe spawns two workers), within `limit` seconds.
    static func spawned(_ scenario: String, mca: [String: String] = [:], limit: Int = 120) throws -> MPIRun {
        try run(["timeout", "-k", "5", String(limit), probe!, scenario, "spawned"], environment: mca)
    }

    /// The environment of every run: Open MPI may run as root (CI does), and its TCP traffic
    /// (the runtime's and, with `btl tcp`, the messages') stays on the loopback interface.
    static var environment: [String: String] {
        var variables = ProcessInfo.processInfo.environment
        variables["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        variables["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        variables["OMPI_MCA_btl_tcp_if_include"] = "lo"
        variables["OMPI_MCA_oob_tcp_if_include"] = "lo"
        return variables
    }

    /// Runs `arguments` (found on PATH) in ``environment`` with `extra` added.
    static func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> MPIRun {
        let process = Foundation.Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        var variables = environment
        for (key, value) in extra { variables[key] = value }
        process.environment = variables
        let pipe = Foundation.Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        let start = Date()
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return MPIRun(output: String(decoding: data, as: UTF8.self), status: process.terminationStatus,
                      seconds: Date().timeIntervalSince(start))
    }

    /// The output lines that start with `prefix` followed by a space, without the prefix.
    func lines(_ prefix: String) -> [String] {
        output.split(separator: "\n").compactMap { line in
            line.hasPrefix(prefix + " ") ? String(line.dropFirst(prefix.count + 1)) : nil
        }
    }
}
