import ArgumentParser
import Multitask

/// `multitask lab`: the classic lessons of Python's multiprocessing, measured on this machine.
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "Measure sequential vs parallel vs concurrent work on this machine.",
        discussion: """
            Runs the same units of CPU-bound work (arithmetic) and blocking work (50 ms sleeps)
            one after another and on several workers, and prints wall time, speed-up and what
            each row shows. Then the classic producer/consumer example of Python's
            multiprocessing runs for real (a Queue made in the parent, a producer process, a
            consumer process), and the same number of small messages is timed through a thread
            queue, the shared-memory Queue and a Pipe. Last, a distributed actor in a supervised
            child process is called, its host killed mid-call and restarted, each step timed.

            With --python the same experiments run in CPython too. Its CPU units are smaller
            (\(PythonPeer.cpuUnitIterations / 1_000_000) M loop iterations against \(Workloads.cpuUnitIterations / 1_000_000) M here, so that both last
            a fraction of a second): the table shows each row's unit, and a note gives the
            measured cost of one iteration on each side. Compare speed-ups, not wall times.
            """
    )

    @Flag(help: "Print the rows as JSON instead of a table.")
    var json = false

    @Option(help: "CPU-bound units per row, at least 1 (default: 2 per core).")
    var cpuUnits: Int?

    @Option(help: "Blocking 50 ms units per row, at least 1.")
    var blockingUnits = 20

    @Option(help: "Workers for the blocking rows, at least 1.")
    var blockingWorkers = 10

    @Option(help: "Messages per producer/consumer row, at least 1 (CPython rows move a tenth as many).")
    var messages = 500_000

    @Flag(help: "Also run the same workloads in CPython (threads and processes), when python3 is installed.")
    var python = false

    #if MPI
    /// Set on the copies that measure one row of the "beyond one machine" section: spawn
    /// this many MPI nodes, map the CPU units, print the timings and end.
    @Option(help: .hidden)
    var mpiNodes: Int?
    #endif

    func validate() throws {
        let counts = [("--cpu-units", cpuUnits ?? 1), ("--blocking-units", blockingUnits),
                      ("--blocking-workers", blockingWorkers), ("--messages", messages)]
        for (option, value) in counts where value < 1 {
            throw ValidationError("\(option) must be at least 1, not \(value)")
        }
    }

    func run() throws {
        // The lab forks only after joining the threads it started, as the bench does; the
        // warning counts threads in /proc, and fired at random here (3 threads) between rows.
        Multitask.warnsOnMultithreadedFork = false
        let cores = CPU.available
        #if MPI
        if let mpiNodes {
            try MPILab.measureRow(nodes: mpiNodes, workersPerNode: MPILab.workersPerNode(cores: cores),
                                  units: cpuUnits ?? 2 * cores, iterations: Workloads.cpuUnitIterations)
            return
        }
        #endif
        let experiment = LabExperiment(
            cores: cores,
            cpuUnits: cpuUnits ?? 2 * cores,
            blockingUnits: blockingUnits,
            cpuIterations: Workloads.cpuUnitIterations,
            blockingWorkers: blockingWorkers
        )
        let bar = ProgressBar(enabled: standardErrorIsTerminal && !json)
        let channels = ChannelExperiment(messages: messages)
        if !json && !standardErrorIsTerminal {
            // CPython's rows count too: they are measured, and take most of the time.
            let ours = experiment.plan.count + channels.strategies.count + 1
            writeError("running \(python ? ours + PythonPeer.rowCount + PythonChannels.rowCount : ours) measurements…\n")
        }
        var rows = experiment.run { done, total, label in bar.show(done: done, total: total, label: label) }
        var channelRows = channels.run { done, total, label in bar.show(done: done, total: total, label: label) }
        if python {
            bar.show(done: 0, total: 2, label: "CPython (threads and processes)")
            do {
                let pyRows = try PythonPeer.run(cores: cores, cpuUnits: experiment.cpuUnits, blockingUnits: blockingUnits, blockingWorkers: blockingWorkers)
                rows = LabExperiment.read(rows + pyRows, cores: cores)
                bar.show(done: 1, total: 2, label: "CPython producer/consumer · \(pythonMessages) messages")
                do {
                    channelRows = ChannelExperiment.read(channelRows + (try PythonChannels.run(messages: pythonMessages)))
                } catch {
                    writeError("--python: producer/consumer: \(error); showing Multitask rows only\n")
                }
            } catch {
                writeError("--python: \(error); showing Multitask rows only\n")
            }
        }
        bar.show(done: 0, total: 1, label: "distributed actors · a call, a crash, a restart")
        let actorSteps = ActorLab.run() ?? []
        #if MPI
        bar.show(done: 0, total: 1, label: "beyond one machine · MPI, 1 node then 2 nodes")
        let mpiRows = MPILab.run(cores: cores, units: experiment.cpuUnits, iterations: Workloads.cpuUnitIterations) ?? []
        #else
        let mpiRows: [Never] = []
        #endif
        bar.finish()
        if json {
            let demo = ProducerConsumerDemo.run(echo: false)
            print(LabReport.json(rows, cores: cores, extra: [
                ("producerConsumer", ChannelReport.json(channelRows)),
                ("producerConsumerDemo", demo.lines.map(JSONValue.quoted) + (demo.failure.map { [JSONValue.quoted("FAILED: \($0)")] } ?? [])),
            ] + (actorSteps.isEmpty ? [] : [("distributedActors", ActorLab.json(actorSteps))]) + Self.mpiJSON(mpiRows)))
        } else {
            print(LabReport.table(rows, cores: cores))
            print(ChannelReport.header)
            flushStandardOutput()
            let demo = ProducerConsumerDemo.run(echo: true)
            print(ChannelReport.table(channelRows, messages: messages, demoFailure: demo.failure))
            if !actorSteps.isEmpty { print(ActorLab.table(actorSteps)) }
            #if MPI
            if !mpiRows.isEmpty { print(MPILab.table(mpiRows, cores: cores)) }
            #endif
        }
    }

    #if MPI
    /// The "beyond one machine" rows as an extra JSON member (none when MPI could not start).
    private static func mpiJSON(_ rows: [MPILab.Row]) -> [(key: String, items: [String])] {
        rows.isEmpty ? [] : [("beyondOneMachine", MPILab.json(rows))]
    }
    #else
    /// Without the trait MPI there is no "beyond one machine" section.
    private static func mpiJSON(_ rows: [Never]) -> [(key: String, items: [String])] { [] }
    #endif

    /// CPython's multiprocessing queue moves ~0.2 M messages a second: a tenth of ours keeps
    /// its rows under a few seconds, and rates are compared, not times.
    private var pythonMessages: Int { max(1, messages / 10) }
}
