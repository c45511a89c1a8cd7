import Glibc
import Testing
@testable import Multitask

/// A crash ends its worker at once (Swift's backtracer is off in children), so a task's
/// timeout never passes first and turns a crash into a timeout, and no helper process is
/// left behind.
@Suite("Pool: a crash is never masked by a timeout", .serialized)
struct PoolCrashTimeoutTests {
    // 500 ms: far shorter than Swift's backtracer takes (seconds), far longer than a trap
    // takes to end a worker even on a loaded machine.
    @Test("a task that traps with a 500 ms timeout is reported as workerCrashed with its signal, message and frames, 100 of 100",
          .timeLimit(.minutes(3)), arguments: StartMethod.allCases)
    func trapBeatsTimeout(method: StartMethod) throws {
        let pool = try Pool(processes: 2, startMethod: method)
        defer {
            pool.terminate()
            pool.join()
        }
        let results = (0..<100).map { pool.applyAsync(ActionTask(action: .trap, value: $0), timeout: .milliseconds(500)) }
        var outcomes: [String: Int] = [:]
        for result in results {
            do {
                _ = try result.get(timeout: .seconds(60))
                outcomes["returned", default: 0] += 1
            } catch PoolError.workerCrashed(let signal, _, _, let report) {
                let trapped = (signal == SIGILL || signal == SIGTRAP) && report?.signal == signal
                let explained = report?.message?.contains("traps on purpose") == true
                let located = report?.frames.contains { $0.symbol?.contains("ActionTask") == true } == true
                outcomes[trapped && explained && located ? "crashed, with its message and frames" : "crashed: \(String(describing: signal)) \(String(describing: report))", default: 0] += 1
            } catch {
                outcomes["\(error)", default: 0] += 1
            }
        }
        #expect(outcomes == ["crashed, with its message and frames": 100])
        #expect(Self.processes(named: "swift-backtrace").isEmpty)
    }

    /// Pids of the processes whose command name is `name`.
    static func processes(named name: String) -> [Int32] {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var found: [Int32] = []
        while let entry = readdir(dir) {
            let pidText = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = Int32(pidText), let command = readFile("/proc/\(pid)/comm") else { continue }
            if command.hasPrefix(name) { found.append(pid) }
        }
        return found
    }
}
