import Multitask

/// The bytes of an ``MPIMessage``: fixed-width little-endian fields and length-prefixed byte
/// strings, written and read by hand (with `Codable`, encoding and decoding a one-task batch
/// and its reply took several microseconds of a round trip of a few tens). Reading checks every length
/// against the bytes that arrived: hostile bytes are an ``MPIWireError``, never a trap or an
/// allocation larger than the message.
///
/// Message: kind `u8`, workers `i64`, task count `u32`, reply count `u32`, the tasks, the replies.
/// Task: id `u64`, type `u32`, name (`u32` length, `u32.max` for none, UTF-8), timeout `i64`
/// (`i64.min` for none), payload (`u32` length, bytes). Reply: id `u64`, outcome `u8` (0 output,
/// 1 failure, 2 none), bytes (`u32` length; a failure is ``MPIFailure`` in the binary codec).
extension MPIMessage {
    /// The smallest encoded task and reply: a count above what the bytes can hold is refused
    /// before anything is reserved.
    private static let smallestTask = 28, smallestReply = 13

    /// The message's bytes.
    func encoded() throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(17 + tasks.reduce(0) { $0 + 32 + $1.payload.count } + replies.reduce(0) { $0 + 13 + ($1.output?.count ?? 16) })
        bytes.appendField(kind.rawValue)
        bytes.appendField(Int64(workers))
        bytes.appendField(UInt32(tasks.count))
        bytes.appendField(UInt32(replies.count))
        for task in tasks {
            bytes.appendField(task.id)
            bytes.appendField(task.typeID)
            if let name = task.typeName {
                bytes.appendByteString(name.utf8)
            } else {
                bytes.appendField(UInt32.max)
            }
            bytes.appendField(task.timeoutNanoseconds ?? .min)
            bytes.appendByteString(task.payload)
        }
        for reply in replies {
            bytes.appendField(reply.id)
            if let output = reply.output {
                bytes.appendField(UInt8(0))
                bytes.appendByteString(output)
            } else if let failure = reply.failure {
                bytes.appendField(UInt8(1))
                bytes.appendByteString(try BinaryEncoder().encode(failure))
            } else {
                bytes.appendField(UInt8(2))
                bytes.appendField(UInt32(0))
            }
        }
        return bytes
    }

    /// Decodes a message; throws on bytes that are not one (hostile input is an error, never a trap).
    static func decode(_ bytes: [UInt8]) throws -> MPIMessage {
        try bytes.withUnsafeBytes { buffer throws -> MPIMessage in
            var fields = FrameFields(buffer)
            guard let rawKind = fields.read(UInt8.self), let kind = Kind(rawValue: rawKind),
                  let workers = fields.read(Int64.self),
                  let taskCount = fields.read(UInt32.self), let replyCount = fields.read(UInt32.self),
                  Int(taskCount) * smallestTask + Int(replyCount) * smallestReply <= fields.rest.count
            else { throw MPIWireError.malformed("header") }
            var message = MPIMessage(kind: kind, workers: Int(truncatingIfNeeded: workers))
            message.tasks.reserveCapacity(Int(taskCount))
            for _ in 0..<taskCount { message.tasks.append(try task(&fields)) }
            message.replies.reserveCapacity(Int(replyCount))
            for _ in 0..<replyCount { message.replies.append(try reply(&fields)) }
            guard fields.rest.isEmpty else { throw MPIWireError.malformed("bytes after the last reply") }
            return message
        }
    }

    private static func task(_ fields: inout FrameFields) throws -> MPITaskFrame {
        guard let id = fields.read(UInt64.self), let typeID = fields.read(UInt32.self),
              let nameLength = fields.read(UInt32.self) else { throw MPIWireError.malformed("task") }
        var name: String?
        if nameLength != .max {
            guard let utf8 = fields.read(bytes: Int(nameLength)) else { throw MPIWireError.malformed("task type name") }
            name = String(decoding: utf8, as: UTF8.self)
        }
        guard let timeout = fields.read(Int64.self), let payload = fields.readByteString() else { throw MPIWireError.malformed("task payload") }
        return MPITaskFrame(id: id, typeID: typeID, typeName: name, timeoutNanoseconds: timeout == .min ? nil : timeout, payload: Array(payload))
    }

    private static func reply(_ fields: inout FrameFields) throws -> MPIReplyFrame {
        guard let id = fields.read(UInt64.self), let outcome = fields.read(UInt8.self), let bytes = fields.readByteString() else {
            throw MPIWireError.malformed("reply")
        }
        switch outcome {
        case 0: return MPIReplyFrame(id: id, output: Array(bytes))
        case 1: return MPIReplyFrame(id: id, failure: try BinaryDecoder().decode(MPIFailure.self, from: Array(bytes)))
        case 2: return MPIReplyFrame(id: id)
        default: throw MPIWireError.malformed("reply outcome \(outcome)")
        }
    }

}

/// Bytes that are not an ``MPIMessage``.
enum MPIWireError: Error, CustomStringConvertible {
    /// The part of the message that did not read.
    case malformed(String)

    var description: String {
        switch self {
        case .malformed(let part): "a malformed MPI message (\(part))"
        }
    }
}

