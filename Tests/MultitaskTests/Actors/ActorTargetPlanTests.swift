import Distributed
import Testing
@testable import Multitask

/// A target's plan (its parameter and return types, worked out once) runs calls through the
/// runtime's `swift_distributed_execute_target` as the toolchain's `executeDistributedTarget`
/// does: this checks that our declaration of that entry matches the toolchain's, for every
/// shape of target a host runs.
@Suite("ProcessActorSystem: target plans", .serialized, .timeLimit(.minutes(1)))
struct ActorTargetPlanTests {
    /// The distributed thunk of `Calculator`'s method whose mangled signature is `method`.
    static func target(_ method: String) -> String {
        "$s" + _mangledTypeName(Calculator.self)! + method
    }

    /// Calls of every shape: arguments of several types and none, `Int`, `String`, `Int32`
    /// and `Void` results, a typed and an untyped throw, a method that suspends, and one that
    /// changes the actor's state.
    static let calls: [(method: String, arguments: [[UInt8]])] = [
        ("3addyS2i_SitYaKFTE", [try! BinaryEncoder().encode(40), try! BinaryEncoder().encode(2)]),
        ("8describeySSAA14ActorTestPointVYaKFTE", [try! BinaryEncoder().encode(ActorTestPoint(x: 3, y: 1.5))]),
        ("5parseySiSSYaKFTE", [try! BinaryEncoder().encode("17")]),
        ("5parseySiSSYaKFTE", [try! BinaryEncoder().encode("x")]),
        ("12failOpaquelyyyYaKFTE", []),
        ("3pids5Int32VyYaKFTE", []),
        ("3nap12millisecondsS2i_tYaKFTE", [try! BinaryEncoder().encode(1)]),
        ("10accumulateyS2iYaKFTE", [try! BinaryEncoder().encode(5)]),
    ]

    @Test("a non-generic target has a plan, and a call through it replies what executeDistributedTarget replies")
    func planMatchesToolchain() async throws {
        let system = ProcessActorSystem()
        let id = system.placeLoopback(Calculator.self)
        for (method, arguments) in Self.calls {
            let target = Self.target(method)
            #expect(ActorTargetPlan(mangledName: target) != nil, "no plan for \(target)")
            var replies: [[UInt8]] = []
            for planned in [false, true] {
                let outbox = ActorReplyOutbox(replies: nil)
                await system.execute(ActorCall(kind: .invoke, callID: 7, actor: id, target: target, generics: [], arguments: arguments),
                                     replyingTo: outbox, planned: planned)
                let reply = try #require(outbox.take().first)
                replies.append(try reply.wireBytes())
            }
            if method.hasPrefix("10accumulate") {
                // The second call adds to the first one's total.
                #expect(try ActorReply(wireBytes: replies[1]).outcome.valueBytes == BinaryEncoder().encode(10))
            } else {
                #expect(replies[0] == replies[1], "\(method): toolchain and plan replied differently")
            }
        }
        #expect(system.targetPlans.withLock { $0.count } == Set(Self.calls.map(\.method)).count)
    }

    @Test("a generic target and a name the runtime cannot resolve get no plan (the toolchain's path answers them)")
    func noPlan() async throws {
        #expect(ActorTargetPlan(mangledName: Self.target("4echoyxxYaKSeRzSERzlFTE")) == nil)
        #expect(ActorTargetPlan(mangledName: "$sNotATarget") == nil)
        #expect(ActorTargetPlan(mangledName: "") == nil)
        try await withActorSystem { system in
            let calculator = try await Calculator.spawn(in: .loopback, using: system)
            #expect(try await calculator.echo(ActorTestPoint(x: 1, y: 2)) == ActorTestPoint(x: 1, y: 2))
            #expect(try await calculator.add(1, 2) == 3)
        }
    }
}

extension ActorOutcome {
    /// The bytes of a returned value (nil for any other outcome).
    var valueBytes: [UInt8]? {
        if case .value(let bytes) = self { return bytes }
        return nil
    }
}
