import Foundation
import Testing

/// Distributed actors placed on MPI nodes (`.mpiNode(n)`), in both start modes: the node hosts
/// each in a supervised child process of its own and relays the calls. Every run is bounded by
/// `timeout` (and the probe's own 90 s limit on the scenario).
@Suite("MPI actors", .serialized, .enabled(if: MPIRun.available, "needs mpirun and the probe"), .timeLimit(.minutes(5)))
struct MPIActorTests {
    @Test("calls on nodes 1 and 2, a generic method, a thrown error; a trap on the node: calls in flight throw hostCrashed, the host restarts there",
          arguments: ["launched", "spawned"])
    func actorsOnNodes(mode: String) throws {
        let run = mode == "launched" ? try MPIRun.launched("actors") : try MPIRun.spawned("actors")
        #expect(run.status == 0, "\(run.output)")
        for (node, sum) in [(1, 41), (2, 42)] {
            let line = try #require(run.lines("node\(node)").first, "\(run.output)")
            let fields = line.split(separator: " ").map(String.init)
            // add N host PID node PID rank0 PID: the actor ran in a process that is neither the
            // node nor rank 0, whose grandparent is the node.
            #expect(fields.count == 8 && fields[1] == "\(sum)", "\(line)")
            if fields.count == 8 { #expect(fields[3] != fields[5] && fields[3] != fields[7] && fields[5] != fields[7], "\(line)") }
        }
        #expect(run.lines("generic") == ["true"], "\(run.output)")
        #expect(run.lines("thrown") == ["ProbeActorError bad input"], "\(run.output)")
        for name in ["crash", "inflight"] {
            let line = try #require(run.lines(name).first, "\(run.output)")
            #expect(line.hasPrefix("hostCrashed | ") && line.contains("the probe actor traps on purpose"), "\(line)")
        }
        #expect(run.lines("other") == ["2"], "\(run.output)")
        let restarted = try #require(run.lines("restarted").first, "\(run.output)")
        #expect(restarted.hasPrefix("42 new host true"), "\(restarted)")
        #expect(run.output.contains("\nfinalized"), "\(run.output)")
    }

    /// "recovery": `mpirun --enable-recovery` (rank 0 lives on); "spawned": no `mpirun`.
    @Test("a node SIGKILLed with an actor call in flight: the call and a later one fail naming the node; nothing survives",
          arguments: ["recovery", "spawned"])
    func lostNode(mode: String) throws {
        let probe = try #require(MPIRun.probe)
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("mpi-actorkill-\(getpid())-\(mode).log").path
        defer { unlink(log) }
        let command = mode == "recovery"
            ? "timeout -k 5 60 mpirun -n 3 --oversubscribe --enable-recovery -x MULTITASK_MPI_WORKERS=1 '\(probe)' actorkill launched"
            : "timeout -k 5 60 '\(probe)' actorkill spawned"
        let process = Foundation.Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exec \(command) >'\(log)' 2>&1 </dev/null"]
        process.environment = MPIRun.environment
        try process.run()
        var victim: Int32?
        for _ in 0..<300 where victim == nil {
            usleep(100_000)
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            victim = text.split(separator: "\n").first { $0.hasPrefix("victim ") }.flatMap { Int32($0.dropFirst(7)) }
        }
        let pid = try #require(victim, "no victim pid: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        usleep(300_000)
        kill(pid, SIGKILL)
        process.waitUntilExit()
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let run = MPIRun(output: output, status: process.terminationStatus, seconds: 0)
        #expect(process.terminationStatus != 124, "the watchdog ended it: \(output)")
        let node = mode == "spawned" ? "spawned worker 0" : "rank 1"
        for name in ["inflight", "later"] {
            let line = try #require(run.lines(name).first, "\(output)")
            #expect(line.contains("failure(") && line.contains("\(node) was lost"), "\(line)")
        }
        let seconds = run.lines("inflight").first.flatMap { $0.split(separator: " ").dropLast().last }.flatMap { Double($0) }
        #expect(seconds.map { $0 < 10 } == true, "the in-flight call took \(String(describing: seconds)) s to fail: \(output)")
        usleep(500_000)
        #expect(MPILifecycleTests().survivors(of: probe).isEmpty, "processes of the job survived: \(MPILifecycleTests().survivors(of: probe))")
    }
}
