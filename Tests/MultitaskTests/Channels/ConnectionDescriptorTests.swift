import CShim
import Glibc
import SystemPackage
import Testing
@testable import Multitask

/// A child that receives a descriptor over `connection` and writes `text` into it.
struct DescriptorWriterEntry: ProcessEntry {
    var connection: Connection
    var text: String
    func run() throws {
        let fd = try connection.receiveDescriptor()
        defer { _ = try? fd.close() }
        _ = try fd.writeAll(text.utf8)
    }
}

/// Passing file descriptors over a `Connection` (Python's `send_handle` / `recv_handle`).
@Suite("Connection descriptors", .timeLimit(.minutes(1)))
struct ConnectionDescriptorTests {
    /// A pipe: what is written to `writeEnd` is read from `readEnd`.
    private func pipePair() -> (readEnd: FileDescriptor, writeEnd: FileDescriptor) {
        var fds: [Int32] = [-1, -1]
        precondition(cshim_pipe2_cloexec(&fds) == 0)
        return (FileDescriptor(rawValue: fds[0]), FileDescriptor(rawValue: fds[1]))
    }

    private func readAvailable(_ fd: FileDescriptor) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = read(fd.rawValue, &buffer, buffer.count)
        return String(decoding: buffer.prefix(max(n, 0)), as: UTF8.self)
    }

    @Test("a descriptor sent is received as another descriptor of the same file, in order with other messages")
    func inOneProcess() throws {
        let (a, b) = try Pipe(duplex: true)
        defer { a.close(); b.close() }
        let first = pipePair(), second = pipePair()
        defer { for fd in [first.readEnd, first.writeEnd, second.readEnd, second.writeEnd] { _ = try? fd.close() } }
        try a.send(1)
        try a.sendDescriptor(first.writeEnd)
        try a.send("between")
        try a.sendDescriptor(second.writeEnd)
        #expect(try b.receive(Int.self) == 1)
        let got = try b.receiveDescriptor()
        #expect(try b.receive(String.self) == "between")
        let gotSecond = try b.receiveDescriptor()
        defer { _ = try? got.close(); _ = try? gotSecond.close() }
        #expect(got != first.writeEnd && gotSecond != second.writeEnd)
        #expect(fcntl(got.rawValue, F_GETFD) & FD_CLOEXEC != 0)
        _ = try got.writeAll("one".utf8)
        _ = try gotSecond.writeAll("two".utf8)
        #expect(readAvailable(first.readEnd) == "one")
        #expect(readAvailable(second.readEnd) == "two")
    }

    @Test("a child of every start method receives a descriptor and writes into it", arguments: StartMethod.allCases)
    func toChild(method: StartMethod) throws {
        let (mine, theirs) = try Pipe(duplex: true)
        defer { mine.close() }
        let output = pipePair()
        defer { _ = try? output.readEnd.close(); _ = try? output.writeEnd.close() }
        let child = Multitask.Process(startMethod: method, entry: DescriptorWriterEntry(connection: theirs, text: "from \(method)"))
        try child.start()
        theirs.close()
        try mine.sendDescriptor(output.writeEnd)
        #expect(joinOrKill(child))
        #expect(child.exitCode == 0)
        #expect(readAvailable(output.readEnd) == "from \(method)")
    }

    @Test("a descriptor message without its descriptor throws .badDescriptor; the connection stays usable")
    func missingDescriptor() throws {
        let (a, b) = try Pipe(duplex: true)
        defer { a.close(); b.close() }
        let output = pipePair()
        defer { _ = try? output.readEnd.close(); _ = try? output.writeEnd.close() }
        // The message's bytes alone, as a peer that forges one would send them.
        try DescriptorMessage(identity: try output.writeEnd.fileIdentity()).withBytes { (bytes) throws(ConnectionError) in
            try a.sendBytes(bytes)
        }
        try a.send(5)
        do {
            let fd = try b.receiveDescriptor()
            _ = try? fd.close()
            Issue.record("a forged descriptor message returned descriptor \(fd.rawValue)")
        } catch .badDescriptor {
        }
        #expect(try b.receive(Int.self) == 5)
    }

    @Test("a descriptor attached to an ordinary message is closed, never returned for a descriptor message")
    func strayDescriptor() throws {
        let (a, b) = try Pipe(duplex: true)
        defer { a.close(); b.close() }
        let stray = pipePair(), wanted = pipePair()
        defer { for fd in [stray.readEnd, stray.writeEnd, wanted.readEnd, wanted.writeEnd] { _ = try? fd.close() } }
        // A hostile peer attaches `stray` to an Int message, then sends `wanted` properly.
        try withUnsafeBytes(of: (UInt64(8).littleEndian, 42)) { frame in
            try StreamSocket(fd: a.fileDescriptor.rawValue).sendAll(frame, attaching: stray.writeEnd.rawValue)
        }
        try a.sendDescriptor(wanted.writeEnd)
        let before = ForkHelper.openDescriptorCount()
        #expect(try b.receive(Int.self) == 42)
        let got = try b.receiveDescriptor()
        defer { _ = try? got.close() }
        #expect(try got.fileIdentity() == wanted.writeEnd.fileIdentity())
        // The stray copy was closed, and only `got` is new.
        #expect(ForkHelper.openDescriptorCount() == before + 1)
    }

    @Test("a peer flooding descriptors cannot make this end hold more than a few; sending a closed descriptor throws")
    func flood() throws {
        let (a, b) = try Pipe(duplex: true)
        defer { a.close(); b.close() }
        let target = pipePair()
        defer { _ = try? target.readEnd.close(); _ = try? target.writeEnd.close() }
        let before = ForkHelper.openDescriptorCount()
        let fds = [Int32](repeating: target.writeEnd.rawValue, count: 200)
        let frame = [UInt8](repeating: 0, count: 8)   // an empty message
        let sent = frame.withUnsafeBytes { raw in
            fds.withUnsafeBufferPointer { cshim_send_with_fds(a.fileDescriptor.rawValue, raw.baseAddress, raw.count, $0.baseAddress, 200) }
        }
        try #require(sent == 8)
        #expect(try b.receiveBytes() == [])
        #expect(ForkHelper.openDescriptorCount() <= before + ConnectionReader.maximumHeldDescriptors)
        #expect(throws: ConnectionError.system(.badFileDescriptor)) { try a.sendDescriptor(FileDescriptor(rawValue: 1_000_000)) }
    }
}
