import Distributed
import Testing
import Multitask

// The README's examples, compiled and run so they stay true.

private final class Counter: @unchecked Sendable {
    let lock = Lock()
    var value = 0
}

// As in the README, with the line kept instead of printed (a passing run prints nothing).
private final class Greeter: Thread, @unchecked Sendable {
    let who: String
    var line = ""
    init(who: String) { self.who = who; super.init(name: "greeter") }
    override func run() throws { line = "hello, \(who), from \(Thread.current.name)" }
}

enum ReadmeSquare: PoolFunction { static func run(_ x: Int) -> Int { x * x } }
struct ReadmeTally: ProcessEntry {
    var lock: Lock
    var total: SharedValue<Int>
    func run() throws { lock.withLock { total.store(total.load() + 1) } }
}
struct ReadmeFib: PoolTask { var n: Int; func run() -> Int { n < 2 ? n : ReadmeFib(n: n - 1).run() + ReadmeFib(n: n - 2).run() } }

distributed actor ReadmeParser: HostableActor {
    distributed func parse(_ bytes: [UInt8]) throws -> Int { bytes.count }
    distributed func echo<T: Codable & Sendable>(_ value: T) -> T { value }
}

@Suite("README examples")
struct ReadmeExamplesTests {
    @Test("distributed actors: a parser in a child process, another alongside it", .timeLimit(.minutes(1)))
    func distributedActors() async throws {
        let system = ProcessActorSystem(restartPolicy: .oneForOne(maxRestarts: 3, within: .seconds(5)), callTimeout: .seconds(10))
        defer { system.shutdown() }
        let parser = try await ReadmeParser.spawn(in: .childProcess, using: system)
        #expect(try await parser.parse([1, 2, 3]) == 3)
        #expect(try await parser.echo("x") == "x")
        let helper = try await ReadmeParser.spawn(in: .alongside(parser.id), using: system)
        #expect(try await helper.parse([]) == 0)
    }

    @Test("threads with a lock count to 400000")
    func threads() {
        let counter = Counter()
        let workers = (0..<4).map { i in
            Thread(name: "worker-\(i)") {
                for _ in 0..<100_000 { counter.lock.withLock { counter.value += 1 } }
            }
        }
        workers.forEach { $0.start() }
        workers.forEach { $0.join() }
        #expect(counter.value == 400_000)
        let g = Greeter(who: "world")
        g.start()
        g.join()
        #expect(g.line == "hello, world, from greeter")
    }

    @Test("event, condition, semaphore, barrier and timer examples run")
    func primitives() throws {
        let ready = Event()
        let went = Event()
        let t = Thread { ready.wait(); went.set() }  // the README prints "go"
        t.start()
        ready.set()
        t.join()
        #expect(went.isSet)

        let cond = Condition()
        let got = cond.withLock { cond.wait(for: { true }, timeout: .seconds(1)) }
        #expect(got)

        let slots = BoundedSemaphore(value: 3)
        slots.withLock {}

        let barrier = Barrier(parties: 2)
        let other = Thread { _ = try barrier.wait(timeout: .seconds(5)) }
        other.start()
        let index = try barrier.wait(timeout: .seconds(5))
        other.join()
        #expect(index == 0 || index == 1)

        let fired = Event()
        let timer = Timer(interval: .milliseconds(100)) { fired.set() }
        timer.start()
        timer.join()
        #expect(fired.isSet)
    }

    @Test("thread queue and thread pool examples run")
    func queuesAndPool() throws {
        let jobs = ThreadQueue<Int>(maxSize: 100)
        let consumer = Thread {
            while let job = try? jobs.get() { _ = job; jobs.taskDone() }
        }
        consumer.start()
        for job in 0..<10 { try jobs.put(job) }
        jobs.join()
        jobs.shutdown()
        #expect(consumer.join(timeout: .seconds(30)))

        let squares = try ThreadPool.withPool(threads: 4) { pool in
            try pool.map(Array(1...10), chunkSize: 2) { $0 * $0 }
        }
        #expect(squares == [1, 4, 9, 16, 25, 36, 49, 64, 81, 100])
    }

    @Test("the process table example lists this test's children")
    func processTable() throws {
        let table = try ProcessTable.snapshot()
        #expect(table.process(pid: ProcessTable.currentPID) != nil)
        for entry in table.children(of: ProcessTable.currentPID) { _ = (entry.pid, entry.stat, entry.command) }
    }

    @Test("the queue and shared value examples work across processes", .timeLimit(.minutes(2)))
    func betweenProcesses() throws {
        let q = try Queue<Int>(maxSize: 0)
        let producer = Process(name: "producer") {
            for i in 0..<1_000 { try q.put(i) }
            q.close()
        }
        try producer.start()
        var sum = 0
        while let n = try? q.get(timeout: .seconds(30)) { sum += n }
        #expect(producer.join(timeout: .seconds(30)))
        #expect(sum == 499_500 && q.isEmpty && q.count == 0)

        let counter = try SharedValue(0)
        let workers = (0..<2).map { _ in Process { for _ in 0..<10_000 { counter.withLock { $0 += 1 } } } }
        for w in workers { try w.start() }
        for w in workers { #expect(w.join(timeout: .seconds(60))) }
        #expect(counter.load() == 20_000)

        let tally = ReadmeTally(lock: try Lock(placement: .shared), total: try SharedValue(0, lock: false))
        let child = Process(startMethod: .spawn, entry: tally)
        try child.start()
        let ended = child.join(timeout: .seconds(60))
        if !ended { child.kill(); child.join() }
        #expect(ended && child.exitCode == 0)
        #expect(tally.total.load() == 1)
    }

    @Test("the process pool example maps in order and applies with a timeout", .timeLimit(.minutes(2)))
    func processPool() throws {
        let squares = try Pool.withPool(processes: 4) { pool in
            try pool.map(ReadmeSquare.self, Array(1...10), chunkSize: 2)
        }
        #expect(squares == (1...10).map { $0 * $0 })
        let fib = try Pool.withPool(processes: 2) { pool in
            try pool.applyAsync(ReadmeFib(n: 25), timeout: .seconds(60)).get(timeout: .seconds(60))
        }
        #expect(fib == 75_025)
    }

    @Test("the pipe example echoes through a child", .timeLimit(.minutes(1)))
    func pipe() throws {
        let (parentEnd, childEnd) = try Connection.pipe()
        let echo = Process {
    parentEnd.close()                                         // the child's copy: else no end-of-file
    while let n = try? childEnd.receive(Int.self) { try childEnd.send(n + 1) }
}
        try echo.start()
        try parentEnd.send(41)
        #expect(parentEnd.poll(timeout: .seconds(30)))
        #expect(try parentEnd.receive(Int.self) == 42)
        parentEnd.close()
        let ended = echo.join(timeout: .seconds(30))
        if !ended { echo.kill(); echo.join() }
        #expect(ended)
    }
}

/// The README's crash-report example: a task that indexes out of range.
struct ReadmeLookup: PoolTask {
    var index: Int
    func run() -> Int {
        silenceStandardError()
        return [10, 20, 30][index]
    }
}

@Suite("README: crash reports")
struct ReadmeCrashReportTests {
    @Test("a pool task that traps is reported with the runtime's message", .timeLimit(.minutes(1)))
    func lookupCrash() throws {
        let pool = try Pool(processes: 2)
        defer { pool.terminate(); pool.join() }
        var text = ""
        do {
            _ = try pool.apply(ReadmeLookup(index: 7), timeout: .milliseconds(50))
        } catch {
            text = "\(error)"
        }
        #expect(text.hasPrefix("the worker process running task #1 (ReadmeLookup) crashed with signal 4 (SIGILL): "), "\(text)")
        #expect(text.contains("Fatal error: Index out of range"), "\(text)")
        #expect(text.contains("ReadmeLookup.run()"), "\(text)")
    }
}
