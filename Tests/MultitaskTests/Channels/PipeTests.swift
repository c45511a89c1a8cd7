import Glibc
import Testing
@testable import Multitask

/// Messages of several kinds through ``Pipe(duplex:)`` in one process.
@Suite("Pipe and Connection", .timeLimit(.minutes(2)))
struct PipeTests {
    struct Order: Codable, Equatable {
        var id: Int
        var items: [String]
        var note: String?
    }

    /// Receives with a watchdog: a message must be waiting within 20 s.
    func receive<T: Decodable>(_ type: T.Type = T.self, from connection: Connection) throws -> T {
        #expect(connection.poll(timeout: .seconds(20)), "no message within 20 s")
        return try connection.receive(type)
    }

    @Test("Int, String, struct, array and optional messages arrive in order on a duplex pipe")
    func valuesRoundTrip() throws {
        let (a, b) = try Pipe(duplex: true)
        defer { a.close(); b.close() }
        try a.send(42)
        try a.send("héllo")
        try a.send(Order(id: 7, items: ["x", "y"], note: nil))
        try a.send([1.5, 2.5])
        try a.send(Int?.none)
        #expect(try receive(Int.self, from: b) == 42)
        #expect(try receive(String.self, from: b) == "héllo")
        #expect(try receive(Order.self, from: b) == Order(id: 7, items: ["x", "y"], note: nil))
        #expect(try receive([Double].self, from: b) == [1.5, 2.5])
        #expect(try receive(Int?.self, from: b) == nil)
        // The other direction.
        try b.send(-1)
        #expect(try receive(Int.self, from: a) == -1)
    }

    @Test("4 MiB messages arrive whole while a thread receives them")
    func largeMessage() throws {
        let (a, b) = try Pipe(duplex: true)
        defer { a.close(); b.close() }
        let payload = (0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let received = UnguardedBox<[[UInt8]]>([])
        // A receiving thread, since 4 MiB exceeds the socket buffer.
        let thread = Multitask.Thread {
            received.value.append((try? b.receive([UInt8].self)) ?? [])
            received.value.append((try? b.receiveBytes()) ?? [])
        }
        thread.start()
        try a.send(payload)
        try a.sendBytes(payload)
        #expect(thread.join(timeout: .seconds(30)))
        #expect(received.value == [payload, payload])
    }

    @Test("sendBytes/receiveBytes keep message boundaries; too long a message is skipped")
    func bytes() throws {
        let (a, b) = try Pipe(duplex: true)
        defer { a.close(); b.close() }
        try a.sendBytes([1, 2, 3])
        try a.sendBytes([])
        try a.sendBytes(Array(repeating: 9, count: 100)[10...])
        try a.sendBytes([4, 5])
        #expect(try b.receiveBytes() == [1, 2, 3])
        #expect(try b.receiveBytes() == [])
        #expect(throws: ConnectionError.messageTooLong(length: 90, maxLength: 10)) { try b.receiveBytes(maxLength: 10) }
        #expect(try b.receiveBytes(maxLength: 2) == [4, 5])
    }

    @Test("a one-way pipe: the first end receives, the second sends")
    func oneWay() throws {
        let (reader, writer) = try Pipe(duplex: false)
        defer { reader.close(); writer.close() }
        #expect(reader.isReadable && !reader.isWritable)
        #expect(writer.isWritable && !writer.isReadable)
        for i in 0..<100 { try writer.send(i) }
        for i in 0..<100 { #expect(try receive(Int.self, from: reader) == i) }
    }

    @Test("sending on the receive-only end is a programmer error")
    func sendOnReceiveOnlyEnd() async {
        await #expect(processExitsWith: .failure) {
            let (reader, _) = try Pipe(duplex: false)
            try reader.send(1)
        }
    }

    @Test("using a connection after close() is a programmer error")
    func useAfterClose() async {
        await #expect(processExitsWith: .failure) {
            let (a, _) = try Pipe(duplex: true)
            a.close()
            _ = a.poll()
        }
    }

    @Test("poll: false without data (within its timeout), true with data or at end of stream")
    func poll() throws {
        let (a, b) = try Pipe(duplex: true)
        defer { a.close(); b.close() }
        #expect(!b.poll())
        let waited = elapsed { #expect(!b.poll(timeout: .milliseconds(100))) }
        #expect(waited >= .milliseconds(95) && waited < .seconds(5))
        try a.send(1)
        #expect(b.poll(timeout: .seconds(10)))
        #expect(b.poll())   // still there until received
        #expect(try b.receive(Int.self) == 1)
        #expect(!b.poll())
        a.close()
        #expect(b.poll(timeout: .seconds(10)))
    }

    @Test("poll wakes when a message arrives during its timeout")
    func pollWakes() throws {
        let (a, b) = try Pipe(duplex: true)
        defer { a.close(); b.close() }
        let thread = Multitask.Thread {
            _ = Event().wait(timeout: .milliseconds(50))
            try? a.send(5)
        }
        thread.start()
        let waited = elapsed { #expect(b.poll(timeout: .seconds(20))) }
        #expect(waited < .seconds(10))
        #expect(thread.join(timeout: .seconds(10)))
        #expect(try b.receive(Int.self) == 5)
    }

    @Test("after the peer closes: pending messages first, then receive throws .closed; send throws .closed")
    func endOfStream() throws {
        let (a, b) = try Pipe(duplex: true)
        defer { b.close() }
        try a.send(1)
        a.close()
        #expect(a.isClosed && !b.isClosed)
        #expect(try b.receive(Int.self) == 1)
        #expect(throws: ConnectionError.closed) { try b.receive(Int.self) }
        #expect(throws: ConnectionError.closed) { try b.send(2) }
        #expect(throws: ConnectionError.closed) { try b.sendBytes(Array(repeating: 0, count: 1 << 20)) }
    }

    @Test("a receive-only end closed: the writer's send throws .closed, no SIGPIPE")
    func writerSeesClosedReader() throws {
        let (reader, writer) = try Pipe(duplex: false)
        defer { writer.close() }
        reader.close()
        #expect(throws: ConnectionError.closed) { try writer.send("x") }
    }

    @Test("receiving the wrong type throws .undecodable and consumes the message")
    func wrongType() throws {
        let (a, b) = try Pipe(duplex: true)
        defer { a.close(); b.close() }
        try a.send(Int32(3))
        try a.send("hello world")
        try a.send(7)
        #expect(throws: ConnectionError.self) { try b.receive(Int.self) }
        #expect(throws: ConnectionError.self) { try b.receive(Int.self) }
        #expect(try b.receive(Int.self) == 7)
    }

    @Test("wait returns the connections with data, in order, or none at its timeout")
    func waitForSeveral() throws {
        let pipes = try (0..<4).map { _ in try Pipe(duplex: true) }
        defer { for (a, b) in pipes { a.close(); b.close() } }
        let receivers = pipes.map(\.1)
        let waited = elapsed { #expect(Connection.wait(receivers, timeout: .milliseconds(50)).isEmpty) }
        #expect(waited >= .milliseconds(45))
        try pipes[3].0.send(3)
        try pipes[1].0.send(1)
        let ready = Connection.wait(receivers, timeout: .seconds(10))
        #expect(ready.map { ObjectIdentifier($0) } == [receivers[1], receivers[3]].map { ObjectIdentifier($0) })
        // A message left in the read-ahead buffer still counts as ready.
        try pipes[2].0.send(20)
        try pipes[2].0.send(21)
        #expect(try receive(Int.self, from: receivers[2]) == 20)
        #expect(Connection.wait([receivers[2]], timeout: .zero).count == 1)
        #expect(try receivers[2].receive(Int.self) == 21)
    }

    @Test("wait wakes for a message sent while it waits")
    func waitWakes() throws {
        let (a, b) = try Pipe(duplex: true)
        let (c, d) = try Pipe(duplex: true)
        defer { a.close(); b.close(); c.close(); d.close() }
        let thread = Multitask.Thread {
            _ = Event().wait(timeout: .milliseconds(50))
            try? c.send(1)
        }
        thread.start()
        let ready = Connection.wait([b, d], timeout: .seconds(20))
        #expect(ready.count == 1 && ready.first === d)
        #expect(thread.join(timeout: .seconds(10)))
    }

    @Test("pipes opened and closed leave no file descriptor behind")
    func noDescriptorLeak() {
        func rounds(_ n: Int) -> Bool {
            for round in 0..<n {
                guard let (a, b) = try? Pipe(duplex: round % 2 == 0) else { return false }
                let (sender, receiver) = a.isWritable ? (a, b) : (b, a)
                guard (try? sender.send("x")) != nil, (try? receiver.receive(String.self)) == "x" else { return false }
                a.close()
                if round % 3 != 0 { b.close() }   // else released by deinit
            }
            return true
        }
        // In a child: it has one thread, so nothing else opens descriptors meanwhile.
        let outcome = ForkHelper.run {
            guard rounds(10) else { return 2 }
            let before = ForkHelper.openDescriptorCount()
            guard rounds(300) else { return 3 }
            return ForkHelper.openDescriptorCount() == before ? 0 : 10
        }
        #expect(outcome == .exited(0))
    }
}
