import Multitask

/// The classic `multiprocessing.Queue` example, run for real: a `Queue<String>` created in the
/// parent, a producer process putting "A", "B", "C", a consumer process getting them, each
/// saying what it did with its own pid.
enum ProducerConsumerDemo {
    static let items = ["A", "B", "C"]

    /// What the processes said, in the order they said it, and what went wrong if anything.
    struct Outcome {
        var lines: [String]
        var failure: String?
    }

    /// Runs the example. With `echo`, the children also print their lines themselves (their
    /// real output, interleaved as the two processes run); the lines always come back through
    /// a second queue, so `--json` can include them.
    static func run(echo: Bool) -> Outcome {
        let queue: Queue<String>, log: Queue<String>
        do {
            queue = try Queue<String>()  // made in the parent, before the children, as Python requires
            log = try Queue<String>()
        } catch {
            return Outcome(lines: [], failure: "cannot create the demo queues: \(error)")
        }
        let parentLine = "parent   pid=\(Multitask.currentProcess.pid) created the queue"
        if echo { print(parentLine) }
        let say: @Sendable (String) throws -> Void = { line in
            if echo {
                print(line)
                flushStandardOutput()
            }
            try log.put(line)
        }
        let consumer = Process(name: "consumer") {
            let pid = Multitask.currentProcess.pid
            for _ in items {
                let item = try queue.get(timeout: .seconds(10))
                try say("consumer pid=\(pid) got \(item)")
            }
        }
        let producer = Process(name: "producer") {
            let pid = Multitask.currentProcess.pid
            for item in items {
                try queue.put(item)
                try say("producer pid=\(pid) put \(item)")
            }
        }
        var failure: String?
        do {
            try consumer.start()
            try producer.start()
            failure = [producer.finish(within: .seconds(15)), consumer.finish(within: .seconds(15))].compactMap { $0 }.first
        } catch {
            consumer.abandon()
            failure = "cannot start the demo processes: \(error)"
        }
        var lines = [parentLine]
        while let line = try? log.tryGet() { lines.append(line) }
        return Outcome(lines: lines, failure: failure)
    }
}
