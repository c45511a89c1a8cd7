import Testing
@testable import Multitask

@Suite("Fork-server messages", .timeLimit(.minutes(1)))
struct ForkServerMessageTests {
    static let messages: [ForkServerMessage] = [
        .start(request: 1 << 40, inheritsStandardInput: true, hasParentDescriptor: false,
               passesOutput: true, passesError: false, payload: [9, 8, 7]),
        .start(request: 3, inheritsStandardInput: false, hasParentDescriptor: true, payload: []),
        .started(request: 77, pid: 4321),
        .failed(request: 78, errno: 11),
        .exited(pid: 4321, code: -9),
    ]

    @Test("every message survives encoding and decoding", arguments: messages)
    func roundTrip(message: ForkServerMessage) {
        #expect(ForkServerMessage(message.encoded()) == message)
    }

    @Test("a packet cut before the end of its fields, or of an unknown kind, is no message")
    func truncatedOrUnknown() {
        for message in Self.messages {
            let bytes = message.encoded()
            let fieldsEnd: Int
            switch message {
            case .start(_, _, _, _, _, let payload): fieldsEnd = bytes.count - payload.count
            default: fieldsEnd = bytes.count
            }
            for cut in 0..<fieldsEnd { #expect(ForkServerMessage(Array(bytes.prefix(cut))) == nil) }
        }
        #expect(ForkServerMessage([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) == nil)
        #expect(ForkServerMessage([5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) == nil)
    }
}
