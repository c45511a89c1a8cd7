import Glibc
import Testing
@testable import Multitask

/// An entry that answers every number received on `connection` with its successor, until a
/// negative number.
struct ConnectionEchoEntry: ProcessEntry {
    var connection: Connection
    func run() throws {
        while true {
            let value = try connection.receive(Int.self)
            if value < 0 { return }
            try connection.send(value + 1)
        }
    }
}

@Suite("Connections inside entry values", .serialized, .timeLimit(.minutes(2)))
struct ConnectionHandleTests {
    @Test("a Pipe end in an entry value reaches the child", arguments: [StartMethod.fork, .spawn, .forkserver])
    func travels(method: StartMethod) throws {
        let (mine, theirs) = try Multitask.Pipe(duplex: true)
        let child = Multitask.Process(startMethod: method, entry: ConnectionEchoEntry(connection: theirs))
        try child.start()
        theirs.close()
        for value in 0..<50 {
            try mine.send(value)
            #expect(try mine.receive(Int.self) == value + 1)
        }
        try mine.send(-1)
        // (No end-of-stream check here: fork children of tests running in parallel may hold
        // copies of the child's end for a while.)
        #expect(joinOrKill(child))
        #expect(child.exitCode == 0)
        mine.close()
    }

    @Test("a closed connection, or one with bytes read ahead, cannot be encoded; a handle of a non-socket is refused")
    func refused() throws {
        let (a, b) = try Multitask.Pipe(duplex: true)
        try a.send(1)
        try a.send(2)
        #expect(try b.receive(Int.self) == 1)   // 2 is now read ahead into b's buffer
        #expect(throws: EncodingError.self) { try BinaryEncoder().encode(b) }
        a.close()
        b.close()
        #expect(throws: EncodingError.self) { try BinaryEncoder().encode(b) }

        let (c, d) = try Multitask.Pipe(duplex: true)
        defer { c.close(); d.close() }
        let bytes = try BinaryEncoder().encode(c)
        let copy = try BinaryDecoder().decode(Connection.self, from: bytes)
        try copy.send(7)
        #expect(try d.receive(Int.self) == 7)
        copy.close()
        let notSocket = PassedDescriptor.Table(descriptors: [0])
        let collector = PassedDescriptor.Collector()
        let slotBytes = try BinaryEncoder(userInfo: [PassedDescriptor.collectorKey: collector]).encode(c)
        #expect(throws: ConnectionError.descriptorNotInherited(0)) {
            try BinaryDecoder(userInfo: [PassedDescriptor.tableKey: notSocket]).decode(Connection.self, from: slotBytes)
        }
    }

    @Test("a handle whose descriptor number now holds another socket, a file or nothing is refused; the limit travels")
    func identityChecked() throws {
        let (c, d) = try Multitask.Pipe(duplex: true)
        c.maxMessageSize = 1234
        let (e, f) = try Multitask.Pipe(duplex: true)
        defer { d.close(); e.close(); f.close() }
        let number = c.fileDescriptor.rawValue
        let bytes = try BinaryEncoder().encode(c)
        let copy = try BinaryDecoder().decode(Connection.self, from: bytes)
        #expect(copy.maxMessageSize == 1234)
        copy.close()

        // Another socket at the same number: what a reply meant for a child once reached.
        #expect(dup2(e.fileDescriptor.rawValue, number) == number)
        #expect(throws: ConnectionError.descriptorNotInherited(number)) { try BinaryDecoder().decode(Connection.self, from: bytes) }
        // A file at that number.
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        #expect(dup2(devNull, number) == number)
        close(devNull)
        #expect(throws: ConnectionError.descriptorNotInherited(number)) { try BinaryDecoder().decode(Connection.self, from: bytes) }
        // Nothing at that number (c's own close releases it).
        c.close()
        #expect(throws: ConnectionError.descriptorNotInherited(number)) { try BinaryDecoder().decode(Connection.self, from: bytes) }
    }
}
