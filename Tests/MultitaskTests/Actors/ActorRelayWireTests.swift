import Testing
@testable import Multitask

/// The bytes between a remote host and its relay: settings and outcomes read back as written
/// (a system error as the same case, a crash with its signal and message), and bytes that are
/// not an outcome are a transport error, never a trap.
@Suite("ProcessActorSystem: the relay's bytes")
struct ActorRelayWireTests {
    @Test("settings read back; malformed settings are refused")
    func settings() throws {
        let bytes = ActorRelayWire.settings(policy: .oneForOne(maxRestarts: 4, within: .seconds(7)), callTimeout: .milliseconds(250))
        let (policy, timeout) = try ActorRelayWire.settings(from: bytes)
        #expect(policy.maxRestarts == 4 && policy.window == .seconds(7) && timeout == .milliseconds(250))
        #expect(try ActorRelayWire.settings(from: ActorRelayWire.settings(policy: .never, callTimeout: nil)).1 == nil)
        for length in 0..<bytes.count { #expect(throws: ActorSystemError.self) { try ActorRelayWire.settings(from: Array(bytes.prefix(length))) } }
        var negative: [UInt8] = []
        negative.appendField(Int64(-1))
        negative.appendField(Int64(0))
        negative.appendField(Int64.min)
        #expect(throws: ActorSystemError.self) { try ActorRelayWire.settings(from: negative) }
    }

    @Test("every ActorSystemError comes back as the same case")
    func systemErrors() {
        let id = ProcessActorID(host: 3, serial: 9)
        let errors: [ActorSystemError] = [
            .hostCrashed(exitCode: -4, report: CrashReport(signal: 4, message: "Fatal error: boom")),
            .hostCrashed(exitCode: 3, report: nil), .callTimedOut(.milliseconds(1500)), .actorDead(id),
            .unknownActor(id), .shutDown, .hostUnavailable("rank 2 was lost"), .transport("bad bytes"),
        ]
        for error in errors {
            guard case .failure(let back as ActorSystemError) = ActorRelayWire.outcome(from: ActorRelayWire.bytes(of: .failure(error))) else {
                Issue.record("\(error) did not come back as an ActorSystemError")
                continue
            }
            #expect("\(back)" == "\(error)")
        }
        let crash = ActorRelayWire.outcome(from: ActorRelayWire.bytes(of: .failure(errors[0])))
        guard case .failure(ActorSystemError.hostCrashed(let code, let report?)) = crash else {
            Issue.record("\(crash)")
            return
        }
        #expect(code == -4 && report.signal == 4 && report.message == "Fatal error: boom")
    }

    @Test("values, void and thrown errors come back; every cut of an outcome is a transport error")
    func outcomes() throws {
        let value = ActorRelayWire.bytes(of: .success(.value([1, 2, 3])))
        guard case .success(.value(let bytes)) = ActorRelayWire.outcome(from: value) else { throw ActorSystemError.transport("value") }
        #expect(bytes == [1, 2, 3])
        guard case .success(.void) = ActorRelayWire.outcome(from: ActorRelayWire.bytes(of: .success(.void))) else { throw ActorSystemError.transport("void") }
        let thrown = ActorRelayWire.bytes(of: .failure(ParseFailure(position: 2, reason: "no")))
        guard case .success(.thrown(let error)) = ActorRelayWire.outcome(from: thrown) else { throw ActorSystemError.transport("thrown") }
        #expect(error.error as? ParseFailure == ParseFailure(position: 2, reason: "no"))
        let crash = ActorRelayWire.bytes(of: .failure(ActorSystemError.hostUnavailable("x")))
        for whole in [value, thrown, crash] {
            for length in 0..<whole.count {
                guard case .failure(let error) = ActorRelayWire.outcome(from: Array(whole.prefix(length))) else {
                    Issue.record("a cut at \(length) of \(whole) read as an outcome")
                    continue
                }
                #expect(error is ActorSystemError)
            }
        }
        #expect(throws: ActorSystemError.self) { try ActorRelayWire.outcome(from: [9, 0, 0]).get() }
    }
}
