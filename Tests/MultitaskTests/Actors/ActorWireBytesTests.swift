import Testing
@testable import Multitask

/// The calls and replies queues carry bytes from another process: they read back exactly, and
/// every cut or inflated count is refused with an error, never a trap or a large allocation.
@Suite("Actor wire bytes")
struct ActorWireBytesTests {
    static let call = ActorCall(kind: .invoke, callID: 42, actor: ProcessActorID(host: 3, serial: 9),
                                target: "$s4demo6WorkerC3addyS2i_SitYaKFTE", generics: ["Sd", "SS"],
                                arguments: [[1, 2, 3], [], [255]])

    @Test("a call and each kind of reply read back as they were written")
    func roundTrip() throws {
        let call = try ActorCall(wireBytes: Self.call.wireBytes)
        #expect(call.kind == .invoke && call.callID == 42 && call.actor == ProcessActorID(host: 3, serial: 9))
        #expect(call.target == Self.call.target && call.generics == Self.call.generics && call.arguments == Self.call.arguments)
        let thrown = ActorThrownError(ActorSystemError.transport("boom"))
        for outcome in [ActorOutcome.value([7, 8]), .void, .thrown(thrown)] {
            let reply = try ActorReply(wireBytes: ActorReply(callID: 5, outcome: outcome).wireBytes())
            #expect(reply.callID == 5)
            switch (reply.outcome, outcome) {
            case (.value(let got), .value(let sent)): #expect(got == sent)
            case (.void, .void): break
            case (.thrown(let got), .thrown): #expect(got.message == thrown.message && got.typeName == thrown.typeName)
            default: Issue.record("\(outcome) came back as \(reply.outcome)")
            }
        }
    }

    @Test("the kind byte is the kind's raw value alone: a byte with its high bit set (once a flag) is refused")
    func kindByte() throws {
        var bytes = Self.call.wireBytes
        #expect(bytes[0] == ActorCall.Kind.invoke.rawValue)
        bytes[0] |= 0x80
        #expect(throws: ActorSystemError.self) { try ActorCall(wireBytes: bytes) }
    }

    @Test("every cut of a call or a reply, and bytes after its end, are refused")
    func cutsRefused() throws {
        let callBytes = Self.call.wireBytes
        for length in 0..<callBytes.count {
            #expect(throws: ActorSystemError.self) { try ActorCall(wireBytes: Array(callBytes[..<length])) }
        }
        #expect(throws: ActorSystemError.self) { try ActorCall(wireBytes: callBytes + [0]) }
        let replyBytes = try ActorReply(callID: 1, outcome: .value([1, 2, 3])).wireBytes()
        for length in 0..<replyBytes.count {
            #expect(throws: ActorSystemError.self) { try ActorReply(wireBytes: Array(replyBytes[..<length])) }
        }
        #expect(throws: ActorSystemError.self) { try ActorReply(wireBytes: replyBytes + [0]) }
    }

    @Test("a count or length beyond the bytes that arrived, or an unknown kind, is refused before anything is reserved")
    func inflatedCountsRefused() throws {
        var bytes: [UInt8] = []
        bytes.appendField(UInt8(0))
        bytes.appendField(UInt64(1))
        bytes.appendField(UInt32(1))
        bytes.appendField(UInt64(1))
        bytes.appendByteString("t".utf8)
        bytes.appendField(UInt32.max)  // generic names: four billion, in a few bytes
        #expect(throws: ActorSystemError.self) { try ActorCall(wireBytes: bytes) }
        var badKind = Self.call.wireBytes
        badKind[0] = 200
        #expect(throws: ActorSystemError.self) { try ActorCall(wireBytes: badKind) }
        var reply: [UInt8] = []
        reply.appendField(UInt64(1))
        reply.appendField(UInt8(0))
        reply.appendField(UInt32.max)  // a value of 4 GiB announced, none sent
        #expect(throws: ActorSystemError.self) { try ActorReply(wireBytes: reply) }
        var unknown: [UInt8] = []
        unknown.appendField(UInt64(1))
        unknown.appendField(UInt8(9))
        #expect(throws: ActorSystemError.self) { try ActorReply(wireBytes: unknown) }
    }
}
