/// A start request as the fork server (or its standby child) received it: the message's
/// fields and the descriptors attached to it, sorted into their roles
/// (``ForkServerMessage/start(request:inheritsStandardInput:hasParentDescriptor:passesOutput:passesError:payload:)``).
///
/// The bytes come from the program and are checked by ``ForkServerMessage``; descriptors the
/// flags promise but the packet lacks are simply absent (nil), never read out of bounds.
struct ForkServerRequest {
    let id: UInt64
    /// The requester's pidfd (the child's parent sentinel).
    let parent: CInt?
    /// The requester's standard input, when the child inherits it.
    let standardInput: CInt?
    /// The requester's standard output and error; nil: closed in the requester, so in the child.
    let standardStreams: [CInt?]
    /// The read end of the pipe the payload comes through, when it did not fit in the packet.
    let payloadPipe: CInt?
    /// The payload, when it came inside the packet.
    let inline: [UInt8]
    /// The descriptors the entry's shared objects refer to, in slot order.
    let inherited: [CInt]
    /// Every descriptor of the message (closed by whoever does not pass them on).
    let descriptors: [CInt]

    /// Nil if `bytes` are not a start request.
    init?(bytes: [UInt8], descriptors: [CInt]) {
        guard case let .start(id, inherits, hasParent, passesOutput, passesError, inline)? = ForkServerMessage(bytes) else { return nil }
        var remaining = descriptors[...]
        self.id = id
        parent = hasParent ? remaining.popFirst() : nil
        standardInput = inherits ? remaining.popFirst() : nil
        standardStreams = [passesOutput, passesError].map { $0 ? remaining.popFirst() : nil }
        payloadPipe = inline.isEmpty ? remaining.popFirst() : nil
        self.inline = inline
        inherited = Array(remaining)
        self.descriptors = descriptors
    }

    /// What standard input, output and error become in the child.
    var streams: [StandardStreams.Source] { Self.streams(standardInput: standardInput, standardStreams: standardStreams) }

    /// Never inlined, and run once in the server (``ForkServer``) before its first fork: the
    /// array's type metadata is then instantiated and cached at this one call site there, and
    /// every child inherits it instead of demangling and instantiating it again (about ten
    /// page faults per child; measured).
    @inline(never)
    static func streams(standardInput: CInt?, standardStreams: [CInt?]) -> [StandardStreams.Source] {
        [standardInput.map { .descriptor($0) } ?? .keep] + standardStreams.map { $0.map { .descriptor($0) } ?? .close }
    }
}
