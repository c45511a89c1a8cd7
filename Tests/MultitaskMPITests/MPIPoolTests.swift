import Testing

/// The MPI pool with 3 processes on one machine: `mpirun -n 3` over shared memory and over TCP,
/// and a program that spawns 2 workers itself. Every run is bounded by `timeout`.
@Suite("MPI pool", .serialized, .enabled(if: MPIRun.available, "needs mpirun and the probe"), .timeLimit(.minutes(5)))
struct MPIPoolTests {
    /// The start modes and transports: (name, run of a scenario).
    static let modes: [String] = ["launched-shm", "launched-tcp", "spawned-shm", "spawned-tcp"]

    static func run(_ scenario: String, _ mode: String) throws -> MPIRun {
        switch mode {
        case "launched-shm": try MPIRun.launched(scenario)
        case "launched-tcp": try MPIRun.launched(scenario, mca: ["--mca", "btl", "tcp,self"])
        case "spawned-tcp": try MPIRun.spawned(scenario, mca: ["OMPI_MCA_btl": "tcp,self"])
        default: try MPIRun.spawned(scenario)
        }
    }

    @Test("map, starmap, apply (from threads at once too) and imap give every result in input order", arguments: modes)
    func mapInOrder(mode: String) throws {
        let run = try Self.run("map", mode)
        #expect(run.status == 0, "\(run.output)")
        for check in ["map1", "map7", "starmap", "imap"] { #expect(run.lines(check) == ["true"], "\(check): \(run.output)") }
        #expect(run.lines("apply") == ["hello MPI"], "\(run.output)")
        #expect(run.lines("applies") == ["true"], "\(run.output)")
        #expect(run.lines("applySlow") == ["30"], "\(run.output)")
        #expect(run.lines("applyThrow") == ["taskFailed"], "\(run.output)")
        #expect(run.lines("progress") == ["2000"], "\(run.output)")
        #expect(run.lines("processCount") == ["4"], "\(run.output)")
        #expect(run.lines("finalized").count == 1 || run.output.contains("finalized"), "\(run.output)")
    }

    @Test("10,000 tasks of imapUnordered arrive exactly once each", arguments: modes)
    func unorderedExactlyOnce(mode: String) throws {
        let run = try Self.run("unordered", mode)
        #expect(run.status == 0, "\(run.output)")
        #expect(run.lines("unordered") == ["true 10000"], "\(run.output)")
    }

    @Test("a task that traps, throws or times out on a node fails alone with the local PoolError", arguments: modes)
    func failuresFailAlone(mode: String) throws {
        let run = try Self.run("failures", mode)
        #expect(run.status == 0, "\(run.output)")
        let trap = try #require(run.lines("trap").first, "\(run.output)")
        #expect(trap.hasPrefix("workerCrashed"), "\(trap)")
        #expect(trap.contains("the probe traps on purpose"), "\(trap)")
        let thrown = try #require(run.lines("throw").first, "\(run.output)")
        #expect(thrown.hasPrefix("taskFailed") && thrown.contains("ProbeError"), "\(thrown)")
        let slow = try #require(run.lines("timeout").first, "\(run.output)")
        #expect(slow.hasPrefix("taskTimedOut"), "\(slow)")
        for line in [trap, thrown, slow] { #expect(line.contains(mode.hasPrefix("spawned") ? "on spawned worker" : "on rank"), "\(line)") }
        #expect(run.lines("others") == ["true"], "\(run.output)")
    }
}
