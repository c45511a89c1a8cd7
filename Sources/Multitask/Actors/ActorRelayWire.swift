/// The bytes between an ``ActorRemoteHost`` and the ``ActorRelay`` of its far host, besides
/// the calls themselves (``ActorWireBytes``): the host's settings, and each call's outcome —
/// a reply, or an ``ActorSystemError`` of the far side (a crash with its report, a timeout, a
/// dead actor) that must come back as the same error. Bytes from the far side are hostile
/// input: what does not read is an ``ActorSystemError/transport(_:)``.
///
/// Settings: restarts `i64`, window `i64` nanoseconds, call timeout `i64` nanoseconds
/// (`i64.min`: none). Outcome: `u8` 0 and an ``ActorReply`` (call ID 0), or 1 and the error in
/// the binary codec.
enum ActorRelayWire {
    /// The settings of a far host.
    static func settings(policy: ActorRestartPolicy, callTimeout: Duration?) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendField(Int64(policy.maxRestarts))
        bytes.appendField(policy.windowNanoseconds)
        bytes.appendField(callTimeout.map(nanoseconds) ?? .min)
        return bytes
    }

    /// The policy and call timeout `bytes` hold.
    static func settings(from bytes: [UInt8]) throws(ActorSystemError) -> (ActorRestartPolicy, Duration?) {
        let read = bytes.withUnsafeBytes { buffer -> (Int64, Int64, Int64)? in
            var fields = FrameFields(buffer)
            guard let restarts = fields.read(Int64.self), let window = fields.read(Int64.self),
                  let timeout = fields.read(Int64.self), fields.rest.isEmpty else { return nil }
            return (restarts, window, timeout)
        }
        guard let (restarts, window, timeout) = read, restarts >= 0, restarts <= Int64(Int32.max), window >= 0,
              timeout == .min || timeout > 0 else { throw .transport("malformed host settings") }
        let policy = ActorRestartPolicy(maxRestarts: Int(restarts), window: .nanoseconds(window))
        return (policy, timeout == .min ? nil : .nanoseconds(timeout))
    }

    /// `duration` in whole nanoseconds (saturating).
    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? (seconds < 0 ? .min + 1 : .max) : scaled.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }

    /// The bytes of a call's outcome.
    static func bytes(of outcome: Result<ActorOutcome, any Error>) -> [UInt8] {
        var bytes: [UInt8] = []
        switch outcome {
        case .success(let reply):
            if let encoded = try? ActorReply(callID: 0, outcome: reply).wireBytes() {
                bytes.appendField(UInt8(0))
                bytes.append(contentsOf: encoded)
                return bytes
            }
            bytes.appendField(UInt8(1))
            bytes.append(contentsOf: ActorSystemErrorRecord(.transport("the outcome cannot be encoded")).encoded)
        case .failure(let error as ActorSystemError):
            bytes.appendField(UInt8(1))
            bytes.append(contentsOf: ActorSystemErrorRecord(error).encoded)
        case .failure(let error):
            return self.bytes(of: .success(.thrown(ActorThrownError(error))))
        }
        return bytes
    }

    /// The outcome `bytes` hold.
    static func outcome(from bytes: [UInt8]) -> Result<ActorOutcome, any Error> {
        guard let tag = bytes.first else { return .failure(ActorSystemError.transport("an empty outcome")) }
        let rest = Array(bytes.dropFirst())
        do {
            switch tag {
            case 0: return .success(try ActorReply(wireBytes: rest).outcome)
            case 1: return .failure(try BinaryDecoder().decode(ActorSystemErrorRecord.self, from: rest).error)
            default: return .failure(ActorSystemError.transport("a malformed outcome (kind \(tag))"))
            }
        } catch let error as ActorSystemError {
            return .failure(error)
        } catch {
            return .failure(ActorSystemError.transport("a malformed outcome: \(error)"))
        }
    }
}

/// An ``ActorSystemError`` as it travels between machines: its case and fields. A crash report
/// keeps its signal and the runtime's message (its frames are named where it happened, from
/// files this side may not have).
struct ActorSystemErrorRecord: Codable {
    /// The case, in declaration order.
    var kind: UInt8
    /// The exit code, or the timeout in nanoseconds.
    var number: Int64 = 0
    /// The crash report's signal, if there was a report.
    var signal: Int32?
    /// The crash report's message.
    var message: String?
    /// The actor ID's host and serial.
    var host: UInt32 = 0, serial: UInt64 = 0
    /// The text of `hostUnavailable` and `transport`.
    var text = ""

    /// The record of `error`.
    init(_ error: ActorSystemError) {
        switch error {
        case .hostCrashed(let code, let report):
            (kind, number, signal, message) = (0, Int64(code), report?.signal, report?.message)
        case .callTimedOut(let timeout): (kind, number) = (1, ActorRelayWire.nanoseconds(timeout))
        case .actorDead(let id): (kind, host, serial) = (2, id.host, id.serial)
        case .unknownActor(let id): (kind, host, serial) = (3, id.host, id.serial)
        case .shutDown: kind = 4
        case .hostUnavailable(let why): (kind, text) = (5, why)
        case .transport(let why): (kind, text) = (6, why)
        }
    }

    /// The record's bytes (binary codec; a record always encodes).
    var encoded: [UInt8] { (try? BinaryEncoder().encode(self)) ?? [] }

    /// The error again.
    var error: ActorSystemError {
        switch kind {
        case 0: .hostCrashed(exitCode: Int32(truncatingIfNeeded: number), report: signal.map { CrashReport(signal: $0, message: message) })
        case 1: .callTimedOut(.nanoseconds(number))
        case 2: .actorDead(ProcessActorID(host: host, serial: serial))
        case 3: .unknownActor(ProcessActorID(host: host, serial: serial))
        case 4: .shutDown
        case 5: .hostUnavailable(text)
        default: .transport(text)
        }
    }
}
