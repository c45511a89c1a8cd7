import Synchronization

/// One task handed to a process ``Pool``, from submission until its outcome is delivered — or
/// a run of tasks of one `map` (``ChunkRunSubmission``), whose ``partCount`` parts the
/// dispatcher sends one by one (``PoolSentTask``).
///
/// It is queued, then taken by the dispatcher (sent to a worker, perhaps re-sent after a crash)
/// or cancelled while still queued — never both. Subclasses decide what an outcome does
/// (complete an ``AsyncResult``, fill a slot of a `map`).
@usableFromInline
// @unchecked: `isDispatched` is the dispatcher thread's alone; the claim is an atomic; the rest is immutable. Not public; subclasses add only `let`s.
class PoolSubmission: @unchecked Sendable {
    private static let queued: UInt8 = 0, taken: UInt8 = 1, cancelled: UInt8 = 2
    private let state = Atomic<UInt8>(PoolSubmission.queued)
    /// The pool's number for the task's type (see ``PoolInbox/ticket(for:numbers:codecs:)``).
    let typeID: UInt32
    /// The encoded task (empty when a subclass writes it from elsewhere: see ``withPayload(_:)``).
    let payload: [UInt8]
    /// How long the task may run once started; nil: no limit.
    let timeout: Duration?
    /// Names the task in errors: its type and submission number.
    let typeName: String
    /// 0 until the inbox numbers it (a submission made without a ticket, see
    /// ``PoolRecentType``): written under the inbox's lock before any other thread sees it.
    @exclusivity(unchecked) var number: UInt64
    /// Whether the dispatcher took it (it may be sent again after a crash). Dispatcher only
    /// (no runtime exclusivity check: see ``PoolWorkerSlot``).
    @exclusivity(unchecked) var isDispatched = false
    /// How many tasks it carries: 1, or the chunks of a run (numbered from ``number`` on).
    let partCount: Int
    /// The part the dispatcher sends next (dispatcher only).
    @exclusivity(unchecked) var nextPart = 0

    init(typeID: UInt32, payload: [UInt8], timeout: Duration?, typeName: String, number: UInt64, partCount: Int = 1) {
        self.typeID = typeID
        self.payload = payload
        self.timeout = timeout
        self.typeName = typeName
        self.number = number
        self.partCount = partCount
    }

    /// Calls `body` with the encoded task (valid only during the call), for its frame.
    func withPayload(_ body: (UnsafeRawBufferPointer) -> Void) {
        payload.withUnsafeBytes(body)
    }

    /// "task #12 (Square)", for error messages.
    var label: String { "task #\(number) (\(typeName))" }

    /// The failure of a task (part `part`) whose reply does not decode.
    func undecodable(_ error: any Error, part: Int = 0) -> PoolError {
        .taskFailed(errorType: String(reflecting: type(of: error)), description: "its result cannot be decoded: \(error)",
                    task: label(part: part))
    }

    // The per-part forms, which the dispatcher calls; a single task's part is 0 and they
    // forward to the forms above (a run overrides them).

    /// ``label`` of part `part`.
    func label(part: Int) -> String { label }

    /// ``withPayload(_:)`` of part `part`.
    func withPayload(part: Int, _ body: (UnsafeRawBufferPointer) -> Void) { withPayload(body) }

    /// ``succeed(_:)`` of part `part`.
    func succeed(part: Int, _ output: UnsafeRawBufferPointer) { succeed(output) }

    /// ``fail(_:)`` of part `part`.
    func fail(part: Int, _ error: PoolError) { fail(error) }

    /// The dispatcher takes the task to send it; false if it was cancelled first.
    func take() -> Bool {
        state.compareExchange(expected: Self.queued, desired: Self.taken, ordering: .acquiringAndReleasing).exchanged
    }

    /// Fails the task with `reason` unless the dispatcher took it; returns whether it did.
    @discardableResult
    func cancel(_ reason: PoolError) -> Bool {
        guard state.compareExchange(expected: Self.queued, desired: Self.cancelled, ordering: .acquiringAndReleasing).exchanged else { return false }
        fail(reason)
        return true
    }

    /// The worker's reply: the encoded output. Called once, on the dispatcher thread.
    func succeed(_ output: UnsafeRawBufferPointer) { fatalError("PoolSubmission.succeed: subclass must override") }

    /// The task failed (a run: its parts not sent yet failed). Called once.
    func fail(_ error: PoolError) { fatalError("PoolSubmission.fail: subclass must override") }
}

/// A submission whose outcome completes an ``AsyncResult``, through its type's codecs (made
/// in the submitter's specialised code: no generic code runs here).
// @unchecked: inherited from PoolSubmission; adds only `let`s of Sendable types.
final class ResultSubmission: PoolSubmission, @unchecked Sendable {
    /// The `AsyncResult` of the task's output.
    let result: AnyObject
    /// The type's codecs, shared by its tasks (the reply's decoder), unretained (see
    /// ``PoolCodecsReference``).
    let codecs: PoolCodecsReference

    init(result: AnyObject, codecs: PoolCodecsReference, typeID: UInt32, typeName: String, number: UInt64, payload: [UInt8],
         timeout: Duration?) {
        self.result = result
        self.codecs = codecs
        super.init(typeID: typeID, payload: payload, timeout: timeout, typeName: typeName, number: number)
    }

    /// Decodes the reply; a reply that does not decode fails the task.
    override func succeed(_ output: UnsafeRawBufferPointer) {
        codecs.with { codecs in
            do {
                try codecs.settle(result, output)
            } catch {
                codecs.fail(result, undecodable(error))
            }
        }
    }

    override func fail(_ error: PoolError) { codecs.with { $0.fail(result, error) } }

    /// A task of a type with no stored data travels as its type's one encoding (kept in the
    /// codecs, so that submitting does not count references to a shared array either).
    override func withPayload(_ body: (UnsafeRawBufferPointer) -> Void) {
        guard codecs.hasConstantPayload else { return super.withPayload(body) }
        codecs.with { $0.constantPayload!.withUnsafeBytes(body) }
    }
}
