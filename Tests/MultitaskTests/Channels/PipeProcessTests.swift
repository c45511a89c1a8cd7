import Glibc
import Testing
@testable import Multitask

/// ``Pipe(duplex:)`` between a parent and its fork children (``Process`` closures).
@Suite("Pipe across processes", .timeLimit(.minutes(2)))
struct PipeProcessTests {
    @Test("1000 parent ↔ child round trips over a duplex pipe")
    func pingPong() throws {
        let (parent, child) = try Pipe(duplex: true)
        let process = Multitask.Process {
            parent.close()
            while let value = try? child.receive(Int.self) { try child.send(value + 1) }
        }
        try process.start()
        child.close()
        for i in 0..<1000 {
            try parent.send(i * 2)
            #expect(parent.poll(timeout: .seconds(20)), "no reply within 20 s")
            let reply = try parent.receive(Int.self)
            if reply != i * 2 + 1 {
                Issue.record("round trip \(i): got \(reply)")
                break
            }
        }
        parent.close()   // the child's receive ends with .closed
        #expect(joinOrKill(process))
        #expect(process.exitCode == 0)
    }

    @Test("a child streams values and strings through a one-way pipe, then end of stream")
    func oneWayFromChild() throws {
        let (reader, writer) = try Pipe(duplex: false)
        let process = Multitask.Process {
            reader.close()
            for i in 0..<10_000 { try writer.send(i) }
            try writer.send("done")
        }
        try process.start()
        writer.close()
        var next = 0
        while next < 10_000 {
            guard reader.poll(timeout: .seconds(20)) else { Issue.record("stalled at \(next)"); break }
            let value = try reader.receive(Int.self)
            guard value == next else { Issue.record("expected \(next), got \(value)"); break }
            next += 1
        }
        #expect(try reader.receive(String.self) == "done")
        #expect(reader.poll(timeout: .seconds(20)))
        #expect(throws: ConnectionError.closed) { try reader.receive(Int.self) }
        reader.close()
        #expect(joinOrKill(process))
        #expect(process.exitCode == 0)
    }

    @Test("a child receives a 4 MiB message and sends back its checksum")
    func largeToChild() throws {
        let (parent, child) = try Pipe(duplex: true)
        defer { parent.close() }
        let payload = (0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let process = Multitask.Process {
            let bytes = try child.receiveBytes()
            try child.send(bytes.count)
            try child.send(bytes.reduce(0) { $0 &+ Int($1) })
        }
        try process.start()
        child.close()
        try parent.sendBytes(payload)
        #expect(parent.poll(timeout: .seconds(30)))
        #expect(try parent.receive(Int.self) == payload.count)
        #expect(try parent.receive(Int.self) == payload.reduce(0) { $0 &+ Int($1) })
        #expect(joinOrKill(process))
        #expect(process.exitCode == 0)
    }

    @Test("wait picks the children that have answered")
    func waitOnChildren() throws {
        let pipes = try (0..<3).map { _ in try Pipe(duplex: false) }
        defer { for (reader, writer) in pipes { reader.close(); writer.close() } }
        let processes = pipes.enumerated().map { index, pipe in
            Multitask.Process {
                // Child 1 stays silent until its pipe is closed by the parent's end of test.
                if index != 1 { try pipe.1.send(index) }
                _ = Event().wait(timeout: .seconds(60))
            }
        }
        for process in processes { try process.start() }
        var ready: [Int] = []
        let deadline = ContinuousClock.now + .seconds(20)
        while ready.count < 2 && ContinuousClock.now < deadline {
            for connection in Connection.wait(pipes.map(\.0), timeout: .seconds(1)) {
                ready.append(try connection.receive(Int.self))
            }
        }
        #expect(ready.sorted() == [0, 2])
        for process in processes {
            process.terminate()
            joinOrKill(process)
        }
    }
}
