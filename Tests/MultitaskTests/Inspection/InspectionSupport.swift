import Foundation
import Glibc
import Testing
@testable import Multitask

/// Child processes the inspection tests start, and the external tools they compare with.
enum InspectionSupport {
    /// A child started with `posix_spawn`, killed (with its process group when it leads one)
    /// and reaped by ``stop()``.
    final class Child {
        let pid: pid_t
        let leadsGroup: Bool
        private var reaped = false

        /// Starts `argv` (first element: absolute path). With `newGroup`, the child leads a new
        /// process group, so ``stop()`` also kills everything it started.
        init(_ argv: [String], newGroup: Bool = false) {
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            // Test runner threads block signals; give the child a clean mask.
            var empty = sigset_t()
            sigemptyset(&empty)
            posix_spawnattr_setsigmask(&attributes, &empty)
            var flags = Int32(POSIX_SPAWN_SETSIGMASK)
            if newGroup {
                flags |= Int32(POSIX_SPAWN_SETPGROUP)
                posix_spawnattr_setpgroup(&attributes, 0)
            }
            posix_spawnattr_setflags(&attributes, Int16(flags))
            let args: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
            let variables: [String] = ["PATH=/usr/bin:/bin", "LC_ALL=C"]
            let env: [UnsafeMutablePointer<CChar>?] = variables.map { strdup($0) } + [nil]
            defer { (args + env).forEach { free($0) } }
            var child: pid_t = 0
            let rc = posix_spawn(&child, argv[0], nil, &attributes, args, env)
            precondition(rc == 0, "posix_spawn \(argv[0]) failed: \(rc)")
            pid = child
            leadsGroup = newGroup
        }

        /// Sends `signal` to the child (and its group when it leads one).
        func send(_ signal: Int32) {
            kill(leadsGroup ? -pid : pid, signal)
        }

        /// Waits for the child to exit and collects it; `true` once reaped.
        @discardableResult
        func reap() -> Bool {
            guard !reaped else { return true }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 {
                if errno != EINTR { break }
            }
            reaped = true
            return true
        }

        /// Kills the child (and its group) and reaps it. Grandchildren left orphaned are
        /// killed too and reaped by init.
        func stop() {
            guard !reaped else { return }
            send(SIGKILL)
            reap()
        }

        deinit { stop() }
    }

    /// Polls `condition` on fresh snapshots every 10 ms until it holds or `timeout` passes;
    /// returns the snapshot that satisfied it.
    static func waitForTable(
        timeout: Duration = .seconds(15), includingThreads: Bool = false,
        _ condition: (ProcessTable) -> Bool
    ) throws -> ProcessTable? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let table = try ProcessTable.snapshot(includingThreads: includingThreads)
            if condition(table) { return table }
            usleep(10_000)
        }
        return nil
    }

    /// The full path of `tool` on `PATH` (plus /usr/bin and /bin), or `nil`.
    static func toolPath(_ tool: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(tool)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Runs `tool` with `arguments` and returns its standard output. It is terminated if it
    /// runs longer than `timeout`. `COLUMNS` is removed from its environment so its line
    /// width does not depend on who runs the tests.
    static func run(_ tool: String, _ arguments: [String], timeout: TimeInterval = 30) throws -> (status: Int32, output: String) {
        let process = Foundation.Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["COLUMNS"] = nil
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A process table entry made from a synthetic `/proc/PID/stat` line, for rendering tests.
    static func entry(
        pid: Int32, parent: Int32, name: String, uid: UInt32 = 0, state: Character = "S",
        threads: [ProcessTable.ThreadEntry] = [], startTicks: UInt64 = 100, arguments: [String] = []
    ) -> ProcessTable.Entry {
        let line = "\(pid) (\(name)) \(state) \(parent) \(pid) \(pid) 0 -1 0 0 0 0 0 0 0 0 0 20 0 \(threads.count + 1) 0 \(startTicks) 0 0\n"
        let stat = ProcStat(Array(line.utf8))!
        let status = ProcStatus(Array("Uid:\t\(uid)\t\(uid)\t\(uid)\t\(uid)\n".utf8))!
        let context = SnapshotContext(clockTicksPerSecond: 100, uptime: 1000, bootTime: 1_700_000_000, memoryTotalKiB: 1 << 20)
        return ProcessTable.Entry(
            stat: stat, status: status, arguments: arguments, user: uid == 0 ? "root" : String(uid),
            terminal: nil, threads: threads, context: context
        )
    }

    /// A table of synthetic entries.
    static func table(_ entries: [ProcessTable.Entry]) -> ProcessTable {
        ProcessTable(entries: entries, takenAt: 1_700_000_500, memoryTotalKiB: 1 << 20)
    }
}
