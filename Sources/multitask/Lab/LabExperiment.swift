import Multitask
import MultitaskBenchmarks
import Synchronization

/// One row of the lab: a kind of work run by one strategy.
struct LabRow: Sendable {
    enum Work: String, Sendable { case cpu = "CPU-bound", blocking = "blocking" }
    let work: Work
    let strategy: String
    let workers: Int
    let units: Int
    /// Loop iterations in one CPU-bound unit; nil for a blocking row (each unit a 50 ms sleep).
    let iterationsPerUnit: Int?
    let seconds: Double
    var speedup: Double = 1
    var reading: String = ""

    /// What one unit is: `400 M iter` for the table (`400 M loop iterations` `spelledOut`),
    /// or `50 ms sleep`.
    func unit(spelledOut: Bool = false) -> String {
        guard let iterations = iterationsPerUnit else { return "50 ms sleep" }
        let word = spelledOut ? "loop iterations" : "iter"
        return iterations.isMultiple(of: 1_000_000) ? "\(iterations / 1_000_000) M \(word)" : "\(iterations) \(word)"
    }

    /// Nanoseconds per loop iteration, counting every unit run one after another (meaningful
    /// for a sequential CPU row).
    var nanosecondsPerIteration: Double? {
        iterationsPerUnit.map { seconds * 1e9 / (Double(units) * Double($0)) }
    }

    var isPython: Bool { strategy.hasPrefix("py ") }
}

/// A way to run `units` units of work, timed by the lab.
struct LabStrategy: Sendable {
    let name: String
    let workers: Int
    /// Runs `units` copies of `unit` and returns when all are done. `work` and `iterations`
    /// describe the unit for strategies that cannot carry a closure (a process pool).
    /// `unitsDone` reports (finished units, total) where the strategy can tell.
    let run: @Sendable (_ units: Int, _ unit: @escaping @Sendable () -> Void, _ work: LabRow.Work, _ iterations: Int,
                        _ unitsDone: @escaping @Sendable (Int, Int) -> Void) -> Void

    init(name: String, workers: Int,
         run: @escaping @Sendable (Int, @escaping @Sendable () -> Void, LabRow.Work, Int, @escaping @Sendable (Int, Int) -> Void) -> Void) {
        self.name = name
        self.workers = workers
        self.run = run
    }

    /// A strategy that only needs the unit closure.
    init(name: String, workers: Int, closure: @escaping @Sendable (_ units: Int, _ unit: @escaping @Sendable () -> Void) -> Void) {
        self.init(name: name, workers: workers) { units, unit, _, _, _ in closure(units, unit) }
    }

    static let sequential = LabStrategy(name: "sequential", workers: 1, closure: { units, unit in
        for _ in 0..<units { unit() }
    })

    /// `workers` threads taking units from a shared counter.
    static func threads(_ workers: Int) -> LabStrategy {
        LabStrategy(name: "threads", workers: workers, closure: { units, unit in
            let next = Atomic<Int>(0)
            let threads = (0..<workers).map { i in
                Thread(name: "lab-\(i)") {
                    while next.wrappingAdd(1, ordering: .relaxed).oldValue < units { unit() }
                }
            }
            threads.forEach { $0.start() }
            threads.forEach { $0.join() }
        })
    }
}

extension LabStrategy {
    /// `workers` fork children, each running its share of the units (a process per worker,
    /// started and joined inside the measurement, as Python's `Process` examples do).
    static func processes(_ workers: Int) -> LabStrategy {
        LabStrategy(name: "processes", workers: workers, closure: { units, unit in
            let children = (0..<workers).map { i in
                Process(name: "lab-\(i)") {
                    for _ in stride(from: i, to: units, by: workers) { unit() }
                }
            }
            for child in children {
                do { try child.start() } catch { fatalError("lab: cannot start a process: \(error)") }
            }
            for child in children {
                child.join()
                precondition(child.exitCode == 0, "lab: process \(child.name) ended with exit code \(child.exitCode ?? -999)")
            }
        })
    }

    /// A `Pool` of `workers` processes mapping the units (one task per unit), as Python's
    /// `Pool.map` does: the processes are created once and reused for every unit (start-up
    /// included).
    static func pool(_ workers: Int) -> LabStrategy {
        LabStrategy(name: "pool", workers: workers) { units, _, work, iterations, unitsDone in
            do {
                try Pool.withPool(processes: workers) { pool in
                    _ = try pool.map(LabSleep.self, [Int](repeating: 0, count: 0))
                    switch work {
                    case .cpu: _ = try pool.map(LabCPUUnit.self, (0..<units).map { iterations + $0 }, progress: unitsDone)
                    case .blocking: _ = try pool.map(LabSleep.self, Array(0..<units), progress: unitsDone)
                    }
                }
            } catch {
                fatalError("lab: the pool failed: \(error)")
            }
        }
    }
}

/// The classic lesson of Python's multiprocessing, measured: the same units of work run
/// sequentially and in parallel, for CPU-bound and for blocking work, with one sentence that
/// reads each result.
struct LabExperiment {
    let cores: Int
    let cpuUnits: Int
    let blockingUnits: Int
    let cpuIterations: Int
    let blockingWorkers: Int

    var plan: [(LabRow.Work, LabStrategy)] {
        [
            (.cpu, .sequential),
            (.cpu, .threads(cores)),
            (.cpu, .processes(cores)),
            (.cpu, .pool(cores)),
            (.blocking, .sequential),
            (.blocking, .threads(blockingWorkers)),
            (.blocking, .processes(blockingWorkers)),
            (.blocking, .pool(blockingWorkers)),
        ]
    }

    func run(progress: @escaping @Sendable (_ done: Int, _ total: Int, _ label: String) -> Void) -> [LabRow] {
        let iterations = cpuIterations
        _ = Workloads.cpuUnit(iterations / 20)  // warm-up
        var rows: [LabRow] = []
        let plan = self.plan
        for (index, (work, strategy)) in plan.enumerated() {
            let label = "\(work.rawValue) · \(strategy.name) × \(strategy.workers)"
            progress(index, plan.count, label)
            let rowCount = plan.count
            let unitsDone: @Sendable (Int, Int) -> Void = { done, total in progress(index, rowCount, "\(label) · \(done)/\(total) units") }
            let units = work == .cpu ? cpuUnits : blockingUnits
            let unit: @Sendable () -> Void
            switch work {
            case .cpu: unit = { blackHole(Workloads.cpuUnit(iterations)) }
            case .blocking: unit = { Workloads.ioUnit() }
            }
            let seconds = Stopwatch.seconds { strategy.run(units, unit, work, iterations, unitsDone) }
            rows.append(LabRow(work: work, strategy: strategy.name, workers: strategy.workers, units: units,
                               iterationsPerUnit: work == .cpu ? iterations : nil, seconds: seconds))
        }
        progress(plan.count, plan.count, "done")
        return Self.read(rows, cores: cores)
    }

    /// Fills in speed-ups against the sequential row of the same work, and the readings.
    static func read(_ rows: [LabRow], cores: Int) -> [LabRow] {
        rows.map { row in
            var row = row
            let sequential = row.isPython ? "py sequential" : "sequential"
            let base = rows.first { $0.work == row.work && $0.strategy == sequential }?.seconds ?? row.seconds
            row.speedup = base / row.seconds
            row.reading = reading(row, cores: cores)
            return row
        }
    }

    static func reading(_ row: LabRow, cores: Int) -> String {
        let x = format(row.speedup, decimals: 2)
        switch (row.work, row.strategy) {
        case (_, "sequential"), (_, "py sequential"):
            return "one unit after another: the baseline"
        case (.cpu, "py threads"):
            return "\(x)×: CPython threads take turns holding the GIL, so CPU work does not speed up"
        case (.cpu, "py processes"):
            return "\(x)×: CPython needs processes (one GIL each) to use the cores"
        case (.cpu, "pool"):
            let ideal = min(row.workers, cores)
            return row.speedup >= 0.8 * Double(ideal)
                ? "\(x)×: reused worker processes, one per core; the tasks travel as values"
                : "\(x)× of an ideal \(ideal)×: the cores were busy with something else (noisy machine)"
        case (.cpu, "processes"):
            let ideal = min(row.workers, cores)
            return row.speedup >= 0.8 * Double(ideal)
                ? "\(x)×: each process has its own memory and runs on its own core (start-up included)"
                : "\(x)× of an ideal \(ideal)×: the cores were busy with something else (noisy machine)"
        case (.cpu, _):
            let ideal = min(row.workers, cores)
            return row.speedup >= 0.8 * Double(ideal)
                ? "\(x)× on \(cores) cores: CPU work runs in parallel (no GIL; CPython threads stay ~1×)"
                : "\(x)× of an ideal \(ideal)×: the cores were busy with something else (noisy machine)"
        case (.blocking, _):
            let who = row.strategy == "pool" ? "pool workers" : row.strategy
            return "\(x)× with \(row.workers) \(who) on \(cores) cores: waiting needs no CPU, so waits overlap (concurrency)"
        }
    }
}

/// Keeps a result alive so the optimizer cannot drop the work.
@inline(never)
func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }

/// The lab's CPU unit as a pool function (a pool task travels as a value, not a closure).
struct LabCPUUnit: PoolFunction {
    static func run(_ iterations: Int) -> Int { Workloads.cpuUnit(iterations) }
}

/// The lab's blocking unit as a pool function.
struct LabSleep: PoolFunction {
    static func run(_ index: Int) -> Int {
        Workloads.ioUnit()
        return index
    }
}
