import Multitask
@testable import MultitaskMPI
import Testing

/// The MPI backend's message layout: what is written reads back the same, and bytes that are
/// not a message (cut short, a count larger than the bytes, an unknown kind, bytes left over)
/// are an error, never a trap or an allocation the size of the count. Needs no MPI.
@Suite("MPI message layout")
struct MPIMessageWireTests {
    static let tasks = [
        MPITaskFrame(id: 7, typeID: 2, typeName: "$s5Probe6SquareV", timeoutNanoseconds: 300_000_000, payload: [1, 2, 3]),
        MPITaskFrame(id: 8, typeID: 2, typeName: nil, timeoutNanoseconds: nil, payload: []),
    ]
    static let replies = [
        MPIReplyFrame(id: 7, output: [9, 9]),
        MPIReplyFrame(id: 8, failure: MPIFailure(.taskFailed(errorType: "ProbeError", description: "no", task: ""))),
        MPIReplyFrame(id: 9),
    ]

    @Test("tasks, replies and a failure read back as written")
    func roundTrip() throws {
        var message = MPIMessage(kind: .tasks, workers: 3)
        message.tasks = Self.tasks
        message.replies = Self.replies
        let read = try MPIMessage.decode(try message.encoded())
        #expect(read.kind == .tasks && read.workers == 3)
        #expect(read.tasks.map(\.id) == [7, 8] && read.tasks.map(\.typeName) == ["$s5Probe6SquareV", nil])
        #expect(read.tasks.map(\.timeoutNanoseconds) == [300_000_000, nil] && read.tasks.map(\.payload) == [[1, 2, 3], []])
        #expect(read.replies.map(\.output) == [[9, 9], nil, nil])
        #expect(read.replies[1].failure == Self.replies[1].failure && read.replies[2].failure == nil)
    }

    @Test("every cut of a message is refused")
    func truncated() throws {
        var message = MPIMessage(kind: .replies)
        message.tasks = Self.tasks
        message.replies = Self.replies
        let bytes = try message.encoded()
        for length in 0..<bytes.count {
            #expect(throws: (any Error).self) { try MPIMessage.decode(Array(bytes.prefix(length))) }
        }
        #expect(throws: (any Error).self) { try MPIMessage.decode(bytes + [0]) }
    }

    @Test("a task count larger than the bytes, or an unknown kind, is refused before reading on")
    func hostileHeader() {
        var huge: [UInt8] = [MPIMessage.Kind.tasks.rawValue]
        huge.appendField(Int64(1))
        huge.appendField(UInt32.max)
        huge.appendField(UInt32.max)
        #expect(throws: MPIWireError.self) { try MPIMessage.decode(huge) }
        var unknown: [UInt8] = [200]
        unknown.appendField(Int64(0))
        unknown.appendField(UInt32(0))
        unknown.appendField(UInt32(0))
        #expect(throws: MPIWireError.self) { try MPIMessage.decode(unknown) }
    }
}
