import Distributed

/// What `executeDistributedTarget` works out from a target's mangled name before it runs the
/// target — its parameter types and return type — worked out once per target and kept, so a
/// host runs each later call to it without demangling the name again.
///
/// The toolchain's `executeDistributedTarget` (Swift 6.3.1's `DistributedActorSystem.swift`)
/// asks the runtime four questions per call, each of which demangles the name
/// (`_getGenericEnvironmentOfDistributedTarget`, `__getParameterCount`,
/// `__getParameterTypeInfo`, `__getReturnTypeInfo`, all public entry points of the
/// `Distributed` module), then runs the target through the runtime's
/// `swift_distributed_execute_target`. The demangling was a quarter of a host's time per call.
/// A plan keeps the answers of the first three questions for a non-generic target (generic
/// targets' types depend on each call's substitutions: they take the toolchain's path) and
/// runs later calls through the same runtime entry with the same arguments, then hands the
/// result to the same `invokeHandlerOnReturn` — the stdlib's sequence, minus the lookups.
///
/// Why this is safe: `swift_distributed_execute_target` is an exported function of
/// `libswiftDistributed.so`; its Swift declaration below is the stdlib's own (the pointer
/// parameters it declares as `Builtin.RawPointer` are raw pointers here, the same one-word
/// value), and the compiler lowers it to the same async call. `ActorTargetPlanTests` runs
/// targets of every shape (arguments of several types, none, `Void` and value results, typed
/// and untyped throws, a method that suspends) both ways and compares the outcomes; a
/// toolchain whose entry differed would fail there (or, without the symbol, fail to link).
/// Names from the calls queue are untrusted: a name the runtime cannot answer for gets no
/// plan (the toolchain's path then throws its error), and only names of targets that exist in
/// this binary are kept, so the cache cannot grow beyond the program's distributed methods.
// @unchecked: every property is immutable after init; the buffers are only read, and freed in deinit.
final class ActorTargetPlan: @unchecked Sendable {
    /// The target's mangled name, as the runtime reads it.
    let name: UnsafeMutableBufferPointer<UInt8>
    /// The parameter types, in order.
    let argumentTypes: UnsafeMutableBufferPointer<any Any.Type>
    /// The return type (`Void.self` for none).
    let returnType: any Any.Type
    /// The size and alignment of a value of `returnType` (the result buffer's).
    let resultSize: Int, resultAlignment: Int

    /// The plan of the target `mangledName` names, or nil for a generic target or a name the
    /// runtime cannot resolve.
    init?(mangledName: String) {
        let utf8 = Array(mangledName.utf8)
        guard !utf8.isEmpty else { return nil }
        let name = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: utf8.count)
        _ = name.initialize(from: utf8)
        let start = UnsafePointer(name.baseAddress!), length = UInt(name.count)
        guard _getGenericEnvironmentOfDistributedTarget(start, length) == nil else {
            name.deallocate()
            return nil
        }
        let count = __getParameterCount(start, length)
        guard count >= 0 else {
            name.deallocate()
            return nil
        }
        let types = UnsafeMutableBufferPointer<any Any.Type>.allocate(capacity: Int(count))
        guard __getParameterTypeInfo(start, length, nil, nil, types.baseAddress!._rawValue, Int(count)) == count,
              let returnType = __getReturnTypeInfo(start, length, nil, nil)
        else {
            name.deallocate()
            types.deallocate()
            return nil
        }
        self.name = name
        argumentTypes = types
        self.returnType = returnType
        (resultSize, resultAlignment) = Self.layout(of: returnType)
    }

    deinit {
        name.deallocate()
        argumentTypes.deallocate()
    }

    /// Whether the target returns nothing.
    var returnsVoid: Bool { returnType == Void.self }

    /// The size and alignment of `type`'s values.
    private static func layout<Value>(of type: Value.Type) -> (Int, Int) {
        (MemoryLayout<Value>.size, MemoryLayout<Value>.alignment)
    }
}

extension ProcessActorSystem {
    /// Runs the target `plan` describes on `actor`, with the arguments `decoder` holds, and
    /// hands the outcome to `handler` — what `executeDistributedTarget` does after its lookups.
    func execute(
        _ plan: ActorTargetPlan, on actor: any DistributedActor, decoder: inout ActorInvocationDecoder, handler: ActorResultHandler
    ) async throws {
        let result = UnsafeMutableRawPointer.allocate(byteCount: max(plan.resultSize, 1), alignment: plan.resultAlignment)
        defer { result.deallocate() }
        do {
            try await runtimeExecuteTarget(
                on: actor, UnsafePointer(plan.name.baseAddress!), UInt(plan.name.count), argumentDecoder: &decoder,
                argumentTypes: UnsafeRawPointer(plan.argumentTypes.baseAddress!), resultBuffer: UnsafeRawPointer(result),
                substitutions: nil, witnessTables: nil, numWitnessTables: 0)
            if plan.returnsVoid {
                try await handler.onReturnVoid()
            } else {
                try await invokeHandlerOnReturn(handler: handler, resultBuffer: UnsafeRawPointer(result), metatype: plan.returnType)
            }
        } catch {
            try await handler.onThrow(error: error)
        }
    }

    /// The plan of `target` (made on its first call), or nil when it takes the toolchain's path.
    func plan(of target: String) -> ActorTargetPlan? {
        if let known = targetPlans.withLock({ $0[target] }) { return known }
        guard let made = ActorTargetPlan(mangledName: target) else { return nil }
        return targetPlans.withLock { plans in
            if let raced = plans[target] { return raced }
            plans[target] = made
            return made
        }
    }
}

/// The runtime's entry that runs a distributed target (the stdlib's `_executeDistributedTarget`,
/// declared as it declares it; see ``ActorTargetPlan``).
@_silgen_name("swift_distributed_execute_target")
private func runtimeExecuteTarget<Decoder: DistributedTargetInvocationDecoder>(
    on actor: AnyObject,
    _ targetName: UnsafePointer<UInt8>, _ targetNameLength: UInt,
    argumentDecoder: inout Decoder,
    argumentTypes: UnsafeRawPointer,
    resultBuffer: UnsafeRawPointer,
    substitutions: UnsafeRawPointer?,
    witnessTables: UnsafeRawPointer?,
    numWitnessTables: UInt
) async throws
