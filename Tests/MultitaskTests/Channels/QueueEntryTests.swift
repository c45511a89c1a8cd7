import Glibc
import Testing
@testable import Multitask

/// An entry that carries queues: it answers every number read from `input` with its double,
/// as text, on `output`, until a negative number; then it reports how many descriptors of
/// shared-memory files it holds (each queue's segment exactly once when the descriptors that
/// carried the handles were closed after decoding).
struct QueueEchoEntry: ProcessEntry {
    var input: Multitask.Queue<Int>
    var output: Multitask.Queue<String>
    /// Makes the payload as large as wanted (a fork-server request passes a large payload
    /// through a pipe, next to the queues' descriptors).
    var padding: [Int] = []

    func run() throws {
        while true {
            let value = try input.get(timeout: .seconds(60))
            if value < 0 { break }
            try output.put(String(value * 2))
        }
        try output.put("memfds \(Self.sharedMemoryDescriptors())")
    }

    /// How many open descriptors of this process refer to memfd files.
    static func sharedMemoryDescriptors() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return -1 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            var target = [UInt8](repeating: 0, count: 256)
            let length = readlink("/proc/self/fd/\(name)", &target, target.count)
            if length > 0 && String(decoding: target.prefix(length), as: UTF8.self).hasPrefix("/memfd:") { count += 1 }
        }
        return count
    }
}

@Suite("Queues inside entry values, with every start method", .serialized)
struct QueueEntryTests {
    @Test("two queues in an entry value reach the child",
          arguments: [(StartMethod.fork, 0), (.spawn, 0), (.spawn, 20_000), (.forkserver, 0), (.forkserver, 20_000)])
    func queuesTravel(method: StartMethod, padding: Int) throws {
        let input = try Multitask.Queue<Int>(maxSize: 10)
        let output = try Multitask.Queue<String>()
        let entry = QueueEchoEntry(input: input, output: output, padding: Array(repeating: 7, count: padding))
        let child = Multitask.Process(startMethod: method, entry: entry)
        try child.start()
        for value in 1...100 { try input.put(value, timeout: .seconds(30)) }
        try input.put(-1)
        var answers: [String] = []
        for _ in 1...101 { answers.append(try output.get(timeout: .seconds(60))) }
        #expect(joinOrKill(child, timeout: .seconds(60)))
        #expect(child.exitCode == 0)
        #expect(Array(answers.prefix(100)) == (1...100).map { String($0 * 2) })
        // A fork child inherits every descriptor of the test runner; the others hold exactly
        // their two segments (their crash record is mapped, its descriptor closed).
        if method != .fork { #expect(answers.last == "memfds 2") }
    }

    @Test("a fork-server start refuses an entry whose handles need more descriptors than one request carries")
    func tooManyDescriptors() throws {
        let queues = try (0...ForkServerClient.passableDescriptors).map { _ in try SimpleQueue<Int>() }
        let child = Multitask.Process(startMethod: .forkserver, entry: ManyQueuesEntry(queues: queues))
        #expect(throws: ProcessError.tooManyDescriptors(count: queues.count, limit: ForkServerClient.passableDescriptors)) {
            try child.start()
        }
    }
}

/// An entry holding many queues (never run: its start is refused).
struct ManyQueuesEntry: ProcessEntry {
    var queues: [SimpleQueue<Int>]
    func run() throws {}
}
