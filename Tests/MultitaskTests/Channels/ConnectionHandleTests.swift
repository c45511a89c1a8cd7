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
        #expect(throws: DecodingError.self) {
            try BinaryDecoder(userInfo: [PassedDescriptor.tableKey: notSocket]).decode(Connection.self, from: slotBytes)
        }
    }
}
