import Glibc
import Testing
import Synchronization
@testable import Multitask

struct BusyBox<A, B> { var a: A; var b: B }

/// `v` wrapped `i` times one way, then `j` times another: a distinct generic type for every
/// pair, instantiated the first time that pair comes up.
func nestedType<T>(_ v: T, _ i: Int, _ j: Int) -> Any {
    i == 0 ? nestedTypeB(v, j) : nestedType(BusyBox(a: v, b: UInt8(0)), i - 1, j)
}

func nestedTypeB<T>(_ v: T, _ j: Int) -> Any {
    j == 0 ? v : nestedTypeB(BusyBox(a: Int8(0), b: v), j - 1)
}

/// Instantiates new generic types (22,500 of them, over time), and others again, allocating,
/// until `stop` is set.
func churnGenerics(_ seed: Int, stop: borrowing Atomic<Bool>) {
    var n = seed
    while !stop.load(ordering: .relaxed) {
        n &+= 1
        _ = nestedType(n, (n / 7) % 150, (n / 1050) % 150)
        switch n % 6 {
        case 0: _ = [BusyBox(a: n, b: [String(n): n])]
        case 1: _ = BusyBox(a: Set([n]), b: [n: [n]]).b.count
        case 2: _ = [[BusyBox(a: Double(n), b: "x")]].count
        case 3: _ = Dictionary(grouping: [n, n + 1], by: { BusyBox(a: $0 % 2, b: 0).a })
        case 4: _ = String(describing: BusyBox<Int, [Int: Set<String>]>.self)
        default: _ = [Int: BusyBox<UInt8, Int16>]().count
        }
    }
}

/// Runs `body` while 8 threads churn generic types; stops and joins them afterwards.
func withChurningThreads(_ body: () throws -> Void) rethrows {
    let stop = Atomic<Bool>(false)
    try withUnsafePointer(to: stop) { pointer in
        // The flag outlives the threads: they are joined before this returns.
        nonisolated(unsafe) let flag = pointer
        let threads = (0..<8).map { i in Thread { churnGenerics(i * 1000, stop: flag.pointee) } }
        threads.forEach { $0.start() }
        defer {
            flag.pointee.store(true, ordering: .relaxed)
            threads.forEach { $0.join() }
        }
        try body()
    }
}

/// `.fork` children of a parent whose other threads keep the Swift runtime busy.
@Suite("Busy parents", .serialized)
struct BusyParentTests {
    /// 300 in every run; `MULTITASK_STRESS_CHILDREN=2000` for the full stress run.
    static let children = Int(Environment.value("MULTITASK_STRESS_CHILDREN") ?? "") ?? 300

    @Test("fork children of a parent with 8 threads instantiating generic types never hang", .timeLimit(.minutes(10)))
    func busyParent() throws {
        try withChurningThreads {
            var hung = 0
            // Half the children start a thread and touch lazy globals from both threads.
            for i in 0..<Self.children {
                let child = Multitask.Process {
                    if i % 2 == 0 {
                        let thread = Thread { touchChildGlobals(2) }
                        thread.start()
                        touchChildGlobals(3)
                        thread.join()
                    }
                }
                try child.start()
                // A child that hangs never ends; 30 s is far beyond a slow start on a loaded machine.
                if !child.join(timeout: .seconds(30)) {
                    hung += 1
                    child.kill()
                    child.join()
                }
            }
            #expect(hung == 0, "\(hung) of \(Self.children) .fork children hung with 8 busy threads")
        }
    }

    @Test("Pool() with its default start method, created and used 100 times beside 8 busy threads: no stuck worker",
          .timeLimit(.minutes(10)))
    func busyParentPools() {
        withChurningThreads {
            var failures: [String] = []
            for round in 0..<100 {
                do {
                    let squares = try Pool.withPool(processes: 2) { pool in
                        try (0..<4).map { try pool.apply(ActionTask(action: .answer, value: round + $0), timeout: .seconds(10)) }
                    }
                    if squares != (0..<4).map({ round + $0 }) { failures.append("round \(round): \(squares)") }
                } catch {
                    failures.append("round \(round): \(error)")
                }
            }
            #expect(failures.isEmpty, "\(failures)")
        }
    }
}
