#if MPI
import Glibc
import Multitask
import MultitaskMPI

/// The probe's scenarios: `probe SCENARIO launched` under `mpirun`, `probe SCENARIO spawned`
/// without it (two spawned workers).
enum MPIProbe {
    static func main(_ arguments: [String]) {
        guard arguments.count == 2 else { Multitask.exit("usage: MultitaskMPIProbe map|unordered|failures|idle|kill|bench|rtt|cpu|actors|actorkill launched|spawned") }
        let workers: MPIWorkers = arguments[1] == "spawned" ? .spawned(2, workersPerNode: 2) : .launched
        do {
            let pool = try Pool(mpi: workers)
            switch arguments[0] {
            case "map": try mapScenario(pool)
            case "unordered": try unorderedScenario(pool)
            case "failures": failuresScenario(pool)
            case "idle": try idleScenario(pool)
            case "kill": killScenario(pool)
            case "bench": try benchScenario(pool)
            case "rtt": try roundTripScenario(pool)
            case "cpu": try cpuScenario(pool)
            case "actors": actorsScenario()
            case "actorkill": actorKillScenario()
            default: Multitask.exit("unknown scenario \(arguments[0])")
            }
            pool.close()
            pool.join()
            say("finalized")
        } catch {
            Multitask.exit("probe: \(error)")
        }
    }

    /// Prints `line` at once (standard output may be a pipe).
    static func say(_ line: String) {
        let text = line + "\n"
        _ = text.withCString { write(1, $0, strlen($0)) }
    }

    /// `map` with chunk sizes 1 and 7, `starmap`, `apply`, `imap`, the `async` form: results in
    /// input order.
    static func mapScenario(_ pool: Pool) throws {
        let inputs = Array(1...2000)
        let squares = inputs.map { $0 * $0 }
        let progressSeen = ProbeCounter()
        say("map1 \(try pool.map(Square.self, inputs) == squares)")
        say("map7 \(try pool.map(Square.self, inputs, chunkSize: 7, progress: { done, _ in progressSeen.set(done) }) == squares)")
        say("progress \(progressSeen.value)")
        say("starmap \(try pool.starmap(Power.self, [(2, 10), (3, 3), (5, 0)]) == [1024, 27, 1])")
        say("apply \(try pool.apply(Greeting(name: "MPI")))")
        say("imap \(Array(pool.imap(Square.self, 1...300, chunkSize: 4)).map { try? $0.get() } == (1...300).map { $0 * $0 })")
        say("processCount \(pool.processCount)")
        try applyChecks(pool)
    }

    /// `apply`, whose thread sends its task and polls MPI for the reply itself: four threads at
    /// once beside a `map` in flight (each takes replies of the others' tasks too), an `apply`
    /// outlasting its polling window, one that fails.
    static func applyChecks(_ pool: Pool) throws {
        let wrong = ProbeCounter()
        let background = pool.mapAsync(Square.self, Array(1...2000))
        let threads = (0..<4).map { thread in
            Multitask.Thread(name: "apply \(thread)") {
                for value in 0..<200 where (try? pool.apply(Increment(value: thread * 1000 + value))) != thread * 1000 + value + 1 {
                    wrong.add(1)
                }
            }
        }
        for thread in threads { thread.start() }
        for thread in threads { thread.join() }
        say("applies \(wrong.value == 0 && (try? background.get()) == (1...2000).map { $0 * $0 })")
        say("applySlow \(try pool.apply(SleeperTask(milliseconds: 30)))")
        do {
            _ = try pool.apply(Thrower())
            say("applyThrow returned")
        } catch let error as PoolError {
            say("applyThrow \(kind(of: error))")
        }
    }

    /// 10,000 tasks through `imapUnordered`: every input delivered exactly once.
    static func unorderedScenario(_ pool: Pool) throws {
        var seen = [Int](repeating: 0, count: 10_000)
        for outcome in pool.imapUnordered(Identity.self, 0..<10_000) {
            seen[try outcome.get()] += 1
        }
        say("unordered \(seen.allSatisfy { $0 == 1 }) \(seen.reduce(0, +))")
    }

    /// A task that traps, one that throws and one that outlives its timeout fail alone, with
    /// the local pool's errors naming the node; the others complete.
    static func failuresScenario(_ pool: Pool) {
        let trap = pool.applyAsync(Trap())
        let thrown = pool.applyAsync(Thrower())
        let slow = pool.applyAsync(SleeperTask(milliseconds: 20_000), timeout: .milliseconds(300))
        let fine = pool.mapAsync(Square.self, Array(1...100), chunkSize: 3)
        for (name, result) in [("trap", trap.get), ("throw", thrown.get), ("timeout", slow.get)] as [(String, () throws -> Int)] {
            do {
                _ = try result()
                say("\(name) returned")
            } catch let error as PoolError {
                say("\(name) \(kind(of: error)) | \(error)")
            } catch {
                say("\(name) other \(error)")
            }
        }
        say("others \((try? fine.get()) == (1...100).map { $0 * $0 })")
    }

    /// The pool idles 5 s; prints the CPU share each node rank (the parent of a worker's fork
    /// server) used meanwhile, in percent.
    static func idleScenario(_ pool: Pool) throws {
        let ranks = Set(try pool.map(NodePID.self, Array(0..<64)))
        let before = ranks.map(cpuSeconds)
        let start = ContinuousClock.now
        sleep(5)
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        for (rank, used) in zip(ranks, before) {
            say("idle \(rank) \(Int(((cpuSeconds(rank) - used) / seconds * 100).rounded()))")
        }
    }

    /// Measures the task round trip (median of 2,000 sequential `apply` calls, µs) and `map`
    /// throughput with chunk sizes 1 and 1000 (tasks/s).
    static func benchScenario(_ pool: Pool) throws {
        try roundTripScenario(pool)
        for (chunk, count) in [(1, 20_000), (1000, 2_000_000)] {
            let inputs = Array(0..<count)
            _ = try pool.map(Square.self, inputs.prefix(count / 10), chunkSize: chunk)
            let start = ContinuousClock.now
            let outputs = try pool.map(Square.self, inputs, chunkSize: chunk)
            let seconds = microseconds(ContinuousClock.now - start) / 1e6
            precondition(outputs.count == count && outputs[count - 1] == (count - 1) * (count - 1))
            say("bench map_chunk\(chunk)_per_s \(Int(Double(count) / seconds))")
        }
    }

    /// The task round trip alone: the median and 99th percentile of 2,000 sequential `apply`
    /// calls after 200, in µs.
    static func roundTripScenario(_ pool: Pool) throws {
        for _ in 0..<200 { _ = try pool.apply(Increment(value: 1)) }
        var samples: [Double] = []
        for index in 0..<2000 {
            let start = ContinuousClock.now
            _ = try pool.apply(Increment(value: index))
            samples.append(microseconds(ContinuousClock.now - start))
        }
        samples.sort()
        say("bench roundtrip_us median \(samples[samples.count / 2]) p99 \(samples[samples.count * 99 / 100])")
    }

    static func microseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12
    }

    /// Eight equal CPU-bound units: sequential here, then on the pool; prints the speed-up.
    static func cpuScenario(_ pool: Pool) throws {
        let units = (0..<8).map { CPUUnit.iterations + $0 }
        let start = ContinuousClock.now
        let sequential = units.map(CPUUnit.run)
        let sequentialTime = microseconds(ContinuousClock.now - start)
        let poolStart = ContinuousClock.now
        let parallel = try pool.map(CPUUnit.self, units)
        let poolTime = microseconds(ContinuousClock.now - poolStart)
        precondition(parallel == sequential)
        say("cpu sequential_s \(sequentialTime / 1e6) pool_s \(poolTime / 1e6) speedup \(sequentialTime / poolTime)")
    }

    /// Starts a long map and waits for the test to kill a node.
    static func killScenario(_ pool: Pool) {
        let ranks = Set((try? pool.map(NodePID.self, Array(0..<64))) ?? [])
        say("nodes \(ranks.sorted().map(String.init).joined(separator: " "))")
        let result = pool.mapAsync(Sleeper.self, Array(repeating: 50, count: 2000))
        do {
            _ = try result.get()
            say("map returned")
        } catch {
            say("map failed | \(error)")
        }
    }

    static func kind(of error: PoolError) -> String {
        switch error {
        case .workerCrashed: "workerCrashed"
        case .taskTimedOut: "taskTimedOut"
        case .taskFailed: "taskFailed"
        default: "other"
        }
    }

    /// The user and system CPU seconds of process `pid`, from `/proc/PID/stat`.
    static func cpuSeconds(_ pid: Int32) -> Double {
        guard let fields = procStat(pid), fields.count > 14, let user = Double(fields[13]), let system = Double(fields[14]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The fields of `/proc/PID/stat` after the command name.
    static func procStat(_ pid: Int32) -> [String]? {
        guard let file = fopen("/proc/\(pid)/stat", "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 4096)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return nil }
        let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let close = line.lastIndex(of: ")") else { return nil }
        return ["pid", "comm"] + line[line.index(after: close)...].split(separator: " ").map(String.init)
    }
}
#endif
