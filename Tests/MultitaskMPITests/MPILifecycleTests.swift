import Foundation
import Testing

/// What happens around the tasks: idle ranks sleep instead of spinning, and a node that dies
/// ends the whole job quickly, naming it, with no process left behind.
@Suite("MPI pool lifecycle", .serialized, .enabled(if: MPIRun.available, "needs mpirun and the probe"), .timeLimit(.minutes(5)))
struct MPILifecycleTests {
    @Test("an idle node rank uses less than 10% of a CPU over 5 s", arguments: ["launched", "spawned"])
    func idleRanksSleep(mode: String) throws {
        let run = mode == "launched" ? try MPIRun.launched("idle") : try MPIRun.spawned("idle")
        #expect(run.status == 0, "\(run.output)")
        let shares = run.lines("idle").compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }
        #expect(!shares.isEmpty, "\(run.output)")
        for share in shares { #expect(share < 10, "\(run.output)") }
    }

    /// "launched": plain `mpirun`, whose runtime ends the job; "recovery": `mpirun
    /// --enable-recovery`, which lets rank 0 live, so the pool fails the map with a
    /// ``PoolError`` naming the lost rank; "spawned": no `mpirun`, likewise.
    @Test("a node SIGKILLed mid-map ends the job within 10 s, naming it, and nothing survives", arguments: ["launched", "recovery", "spawned"])
    func killedNodeEndsTheJob(mode: String) throws {
        let probe = try #require(MPIRun.probe)
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("mpi-kill-\(getpid())-\(mode).log").path
        defer { unlink(log) }
        let command = switch mode {
        case "launched": "timeout -k 5 60 mpirun -n 3 --oversubscribe -x MULTITASK_MPI_WORKERS=2 '\(probe)' kill launched"
        case "recovery": "timeout -k 5 60 mpirun -n 3 --oversubscribe --enable-recovery -x MULTITASK_MPI_WORKERS=2 '\(probe)' kill launched"
        default: "timeout -k 5 60 '\(probe)' kill spawned"
        }
        let process = Foundation.Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exec \(command) >'\(log)' 2>&1 </dev/null"]
        process.environment = MPIRun.environment
        try process.run()
        var nodes: [Int32] = []
        for _ in 0..<300 where nodes.isEmpty {
            usleep(100_000)
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("nodes ") }) {
                nodes = line.split(separator: " ").dropFirst().compactMap { Int32($0) }
            }
        }
        let victim = try #require(nodes.first, "no node pids: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        usleep(500_000)
        let killed = Date()
        kill(victim, SIGKILL)
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(killed)
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(seconds < 10, "the job took \(seconds) s to end: \(output)")
        #expect(process.terminationStatus != 124, "the watchdog ended it: \(output)")
        #expect(!output.contains("map returned"), "\(output)")
        if mode == "launched" {
            // Open MPI's runtime ends every rank, rank 0 included, and names the lost one.
            #expect(process.terminationStatus != 0, "\(output)")
            #expect(output.contains("exited on signal 9 (Killed)") && output.contains("rank "), "\(output)")
        } else {
            // The runtime lets the program go on: the map fails with a PoolError naming the node.
            let node = mode == "spawned" ? "spawned worker" : "rank "
            #expect(output.contains("map failed | ") && output.contains(node) && output.contains("was lost"), "\(output)")
        }
        usleep(500_000)
        #expect(survivors(of: probe).isEmpty, "processes of the job survived: \(survivors(of: probe))")
    }

    /// The pids of running processes whose command line starts with `probe`.
    func survivors(of probe: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data.prefix { $0 != 0 }, as: UTF8.self) == probe
        }
    }
}
