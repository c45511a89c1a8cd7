/// Running tasks that arrive already encoded, by type name, in a local process ``Pool``: how a
/// remote node of the MPI backend feeds its own crash-isolated workers without decoding and
/// re-encoding what it relays.
extension Pool {
    /// A task type found by its mangled name in this executable, ready to submit encoded tasks of.
    package struct EncodedType: Sendable {
        fileprivate let submit: @Sendable (Pool, [UInt8], Duration?, @escaping @Sendable (Result<[UInt8], PoolError>) -> Void) -> Void
    }

    /// The ``PoolTask`` type named `mangledName` (as the front end's pool numbered it), or nil
    /// when this executable has no such type.
    package static func encodedType(named mangledName: String) -> EncodedType? {
        guard let type = _typeByName(mangledName) as? any PoolTask.Type else { return nil }
        return encodedType(of: type)
    }

    private static func encodedType<Task: PoolTask>(of _: Task.Type) -> EncodedType {
        EncodedType { pool, payload, timeout, completion in
            if let timeout { usageCheck(timeout > .zero, "Pool: a task timeout must be positive, got \(timeout)") }
            let ticket = pool.dispatcher.ticket(for: Task.self, numbers: 1)
            pool.dispatcher.submit(CollectionOfOne<PoolSubmission>(EncodedSubmission(
                typeID: ticket.typeID, payload: payload, timeout: timeout, typeName: ticket.typeName, number: ticket.firstNumber,
                completion: completion
            )))
        }
    }

    /// Submits the task encoded in `payload`, of type `type`; `completion` gets its encoded
    /// output or its failure, on the pool's dispatcher thread (or at once when the pool is closed).
    package func submitEncoded(
        _ type: EncodedType, payload: [UInt8], timeout: Duration?,
        completion: @escaping @Sendable (Result<[UInt8], PoolError>) -> Void
    ) {
        type.submit(self, payload, timeout, completion)
    }
}

/// A submission whose outcome goes, still encoded, to a callback.
// @unchecked: inherited from PoolSubmission; adds only a `let` of a Sendable type.
final class EncodedSubmission: PoolSubmission, @unchecked Sendable {
    let completion: @Sendable (Result<[UInt8], PoolError>) -> Void

    init(typeID: UInt32, payload: [UInt8], timeout: Duration?, typeName: String, number: UInt64,
         completion: @escaping @Sendable (Result<[UInt8], PoolError>) -> Void) {
        self.completion = completion
        super.init(typeID: typeID, payload: payload, timeout: timeout, typeName: typeName, number: number)
    }

    override func succeed(_ output: UnsafeRawBufferPointer) { completion(.success(Array(output))) }

    override func fail(_ error: PoolError) { completion(.failure(error)) }
}
