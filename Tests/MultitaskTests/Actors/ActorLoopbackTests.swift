import Distributed
import Glibc
import Testing
@testable import Multitask

/// The loopback placement (the benchmarks' peer of a host's round trip), the reply outbox
/// that batches a host's replies, and the linger budget.
@Suite("ProcessActorSystem: loopback actors, reply batches, lingering", .serialized, .timeLimit(.minutes(1)))
struct ActorLoopbackTests {
    @Test("a loopback actor lives in this process but answers through the remote-call path")
    func loopbackCalls() async throws {
        try await withActorSystem { system in
            let calculator = try await Calculator.spawn(in: .loopback, using: system)
            #expect(__isRemoteActor(calculator))
            #expect(calculator.id.description.hasSuffix("@loopback"))
            #expect(try await calculator.pid() == getpid())
            #expect(try await calculator.add(40, 2) == 42)
            #expect(try await calculator.echo(ActorTestPoint(x: 1, y: 2)) == ActorTestPoint(x: 1, y: 2))
            for value in 1...10 { _ = try await calculator.accumulate(value) }
            #expect(try await calculator.accumulate(0) == 55)
            await #expect(throws: ParseFailure(position: 0, reason: "not a number: x")) { try await calculator.parse("x") }
            let resolved = try Calculator.resolve(id: calculator.id, using: system)
            #expect(__isRemoteActor(resolved))
            #expect(throws: ActorSystemError.self) {
                _ = try Calculator.resolve(id: ProcessActorID(host: ProcessActorID.hostLoopback, serial: 999_999), using: system)
            }
        }
    }

    @Test("an outbox holds replies while its loop is busy and puts them at the flush, as one batch; idle, it puts at once")
    func outboxBatches() throws {
        let replies = try Queue<[UInt8]>()
        /// The call IDs of the next batch on the queue (nil: none there).
        func nextBatch() throws -> [UInt64]? {
            try replies.tryGet().map { try ActorWireBytes.replies(inBatch: $0).map(\.callID) }
        }
        let outbox = ActorReplyOutbox(replies: replies)
        outbox.send(ActorReply(callID: 1, outcome: .void))
        outbox.send(ActorReply(callID: 2, outcome: .value([7])))
        #expect(try replies.tryGet() == nil)
        outbox.flush()
        #expect(try nextBatch() == [1, 2])
        outbox.send(ActorReply(callID: 3, outcome: .void))
        #expect(try nextBatch() == [3])
        outbox.loopWillServe()
        outbox.send(ActorReply(callID: 4, outcome: .void))
        outbox.flushIfHeldLong()
        let early = try nextBatch()
        usleep(UInt32(ActorReplyOutbox.holdLimit / 1000) + 1000)
        outbox.flushIfHeldLong()
        let late = try nextBatch()
        #expect((early ?? late) == [4])
        let loopback = ActorReplyOutbox(replies: nil)
        loopback.flush()
        loopback.send(ActorReply(callID: 5, outcome: .void))
        #expect(loopback.take().map(\.callID) == [5])
        #expect(loopback.take().isEmpty)
    }

    @Test("the linger budget skips 1, 2, 4 … up to 64 chances after misses, and none after a hit")
    func lingerBudget() {
        var budget = ActorLingerBudget()
        let first = budget.admits()
        #expect(first)
        var skipped: [Int] = []
        for _ in 0..<8 {
            budget.record(hit: false)
            var skips = 0
            while !budget.admits() { skips += 1 }
            skipped.append(skips)
        }
        #expect(skipped == [1, 2, 4, 8, 16, 32, 64, 64])
        budget.record(hit: true)
        let afterHit = budget.admits()
        budget.record(hit: false)
        let afterMiss = [budget.admits(), budget.admits()]
        #expect(afterHit)
        #expect(afterMiss == [false, true])
    }
}
