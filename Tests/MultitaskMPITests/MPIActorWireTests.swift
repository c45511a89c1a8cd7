import Multitask
@testable import MultitaskMPI
import Testing

/// The actor frames of an MPI message: written and read back in order, next to tasks and
/// replies; an unknown frame kind or a count larger than the bytes is refused. Needs no MPI.
@Suite("MPI message layout: actor frames")
struct MPIActorWireTests {
    static let frames = [
        MPIActorFrame(kind: .open, key: 1, bytes: [1, 2, 3]),
        MPIActorFrame(kind: .call, key: 1, callID: 77, bytes: Array(repeating: 5, count: 300)),
        MPIActorFrame(kind: .outcome, key: 2, callID: 78),
        MPIActorFrame(kind: .close, key: 2),
        MPIActorFrame(kind: .kill, key: .max, callID: .max),
    ]

    @Test("actor frames read back as written, with tasks beside them")
    func roundTrip() throws {
        var message = MPIMessage(kind: .actors, actors: Self.frames)
        message.tasks = [MPITaskFrame(id: 1, typeID: 1, typeName: nil, timeoutNanoseconds: nil, payload: [4])]
        let read = try MPIMessage.decode(try message.encoded())
        #expect(read.kind == .actors && read.actors == Self.frames && read.tasks.map(\.payload) == [[4]])
    }

    @Test("every cut, an unknown frame kind and a frame count beyond the bytes are refused")
    func hostile() throws {
        let bytes = try MPIMessage(kind: .actors, actors: Self.frames).encoded()
        for length in 0..<bytes.count {
            #expect(throws: (any Error).self) { try MPIMessage.decode(Array(bytes.prefix(length))) }
        }
        var unknown = try MPIMessage(kind: .actors, actors: [MPIActorFrame(kind: .open, key: 1)]).encoded()
        unknown[21] = 200
        #expect(throws: MPIWireError.self) { try MPIMessage.decode(unknown) }
        var huge: [UInt8] = [MPIMessage.Kind.actors.rawValue]
        huge.appendField(Int64(0))
        huge.appendField(UInt32(0))
        huge.appendField(UInt32(0))
        huge.appendField(UInt32.max)
        #expect(throws: MPIWireError.self) { try MPIMessage.decode(huge) }
    }
}
