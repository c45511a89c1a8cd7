import Glibc
import Testing
@testable import Multitask

/// Globals no parent process initialises: the first touch is in a child, from two threads.
enum ChildLazyA { static let value = (0..<100).map { $0 * 3 } }
enum ChildLazyB { static let value = Dictionary(uniqueKeysWithValues: (0..<50).map { ("k\($0)", $0) }) }
enum ChildLazyC { static let value = Set((0..<64).map { UInt16($0) }) }
enum ChildLazyD { static let value = String(repeating: "x", count: 99) }
struct ChildLocalPair<First, Second> { var first: First; var second: Second }

/// Touches lazily initialised globals and instantiates generic types.
func touchChildGlobals(_ index: Int) {
    let sum = ChildLazyA.value.count + ChildLazyB.value.count + ChildLazyC.value.count + ChildLazyD.value.count
    let pairs = [ChildLocalPair(first: index, second: [String(sum): Double(sum)])]
    _ = pairs.map { ChildLocalPair(first: $0.second, second: Set([$0.first])) }
}

/// Starts a thread, and touches lazily initialised globals on it and on the child's first
/// thread at the same time, then joins it.
struct ThreadsTouchingGlobalsEntry: ProcessEntry {
    func run() throws {
        let thread = Thread { touchChildGlobals(1) }
        thread.start()
        touchChildGlobals(0)
        thread.join()
    }
}

@Suite("Children that start threads never hang", .serialized)
struct ChildThreadHangTests {
    static func hangs(method: StartMethod, tries: Int) throws -> Int {
        var hung = 0
        for _ in 0..<tries {
            let child = Multitask.Process(startMethod: method, entry: ThreadsTouchingGlobalsEntry())
            try child.start()
            if !child.join(timeout: .seconds(10)) {
                hung += 1
                child.kill()
                child.join()
            }
        }
        return hung
    }

    @Test("a child that starts a thread and touches lazy globals from both never hangs", .timeLimit(.minutes(10)),
          arguments: StartMethod.allCases)
    func childrenWithThreads(method: StartMethod) throws {
        let tries = 500
        let hung = try Self.hangs(method: method, tries: tries)
        #expect(hung == 0, "\(hung) of \(tries) .\(method) children hung")
    }

    @Test("a fork child's own fork children that start a thread never hang", .timeLimit(.minutes(5)))
    func grandchildrenWithThreads() throws {
        let report = ReportPipe()
        let child = Multitask.Process {
            let hung = try Self.hangs(method: .fork, tries: 500)
            report.write("\(hung)")
        }
        try child.start()
        #expect(joinOrKill(child, timeout: .seconds(240)))
        #expect(child.exitCode == 0)
        #expect(report.readAll() == "0", "grandchildren hung (of 500)")
    }
}
