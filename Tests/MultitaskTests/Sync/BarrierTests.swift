import Testing
@testable import Multitask

@Suite("Barrier")
struct BarrierTests {
    /// Runs `body(i)` on `count` threads and joins them; returns whether all ended in time.
    private func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) -> Bool {
        let threads = (0..<count).map { i in Thread { try body(i) } }
        threads.forEach { $0.start() }
        return threads.allSatisfy { $0.join(timeout: .seconds(120)) }
    }

    @Test("all parties pass together with distinct indices; the action runs once, before release")
    func oneGeneration() {
        let actions = UnguardedBox(0)
        let barrier = Barrier(parties: 3, action: { actions.value += 1 })
        #expect(barrier.parties == 3 && barrier.waitingCount == 0 && !barrier.isBroken)
        let results = UnguardedBox<[Int]>([])
        let tally = Lock()
        let early = UnguardedBox(0)
        let finished = onThreads(3) { _ in
            let index = try barrier.wait()
            tally.withLock {
                if actions.value != 1 { early.value += 1 }
                results.value.append(index)
            }
        }
        #expect(finished && early.value == 0)
        #expect(results.value.sorted() == [0, 1, 2])
        #expect(actions.value == 1 && barrier.waitingCount == 0)
    }

    @Test("waitingCount counts the threads blocked in the current generation")
    func waitingCount() throws {
        let barrier = Barrier(parties: 3)
        let waiters = (0..<2).map { _ in Thread { try barrier.wait() } }
        waiters.forEach { $0.start() }
        #expect(eventually { barrier.waitingCount == 2 })
        #expect(try barrier.wait() == 2)
        for t in waiters { #expect(t.join(timeout: .seconds(10))) }
        #expect(barrier.waitingCount == 0)
    }

    @Test("4 threads x 1000 generations: each generation's indices are a permutation")
    func manyGenerations() {
        let parties = 4, rounds = 1000
        let generations = UnguardedBox(0)
        let barrier = Barrier(parties: parties, action: { generations.value += 1 })
        // indices[round][thread], each slot written by one thread only.
        let indices = UnguardedBox([[Int]](repeating: [Int](repeating: -1, count: parties), count: rounds))
        let early = UnguardedBox(0)
        let tally = Lock()
        #expect(onThreads(parties) { thread in
            for round in 0..<rounds {
                let index = try barrier.wait(timeout: .seconds(60))
                // The action of this round ran before anyone was released.
                if generations.value < round + 1 { tally.withLock { early.value += 1 } }
                tally.withLock { indices.value[round][thread] = index }
            }
        })
        #expect(early.value == 0)
        #expect(generations.value == rounds)
        let bad = indices.value.indices.filter { indices.value[$0].sorted() != Array(0..<parties) }
        #expect(bad.isEmpty, "rounds with a wrong set of indices: \(bad.prefix(10))")
        #expect(!barrier.isBroken)
    }

    @Test("a wait that times out breaks the barrier for everyone until reset")
    func timeoutBreaks() throws {
        let barrier = Barrier(parties: 3)
        let other = UnguardedBox<Error?>(nil)
        let waiter = Thread {
            do { _ = try barrier.wait() } catch { other.value = error }
        }
        waiter.start()
        #expect(eventually { barrier.waitingCount == 1 })
        var thrown: Error?
        let waited = elapsed {
            do { _ = try barrier.wait(timeout: .milliseconds(50)) } catch { thrown = error }
        }
        #expect(thrown as? BarrierError == .broken)
        #expect(waited >= .milliseconds(45) && waited < .seconds(5))
        #expect(waiter.join(timeout: .seconds(10)))
        #expect(other.value as? BarrierError == .broken)
        #expect(barrier.isBroken)
        #expect(throws: BarrierError.broken) { try barrier.wait() }
        barrier.reset()
        #expect(!barrier.isBroken)
        let single = Barrier(parties: 1)
        #expect(try single.wait() == 0)
    }

    @Test("the timeout given at creation applies to wait() without one")
    func defaultTimeout() {
        let barrier = Barrier(parties: 2, timeout: .milliseconds(50))
        let waited = elapsed { #expect(throws: BarrierError.broken) { try barrier.wait() } }
        #expect(waited >= .milliseconds(45) && waited < .seconds(5))
        #expect(barrier.isBroken)
    }

    @Test("abort wakes every waiter with BarrierError.broken")
    func abort() {
        let barrier = Barrier(parties: 4)
        let failures = UnguardedBox(0)
        let tally = Lock()
        let waiters = (0..<3).map { _ in
            Thread {
                do { _ = try barrier.wait() } catch BarrierError.broken { tally.withLock { failures.value += 1 } }
            }
        }
        waiters.forEach { $0.start() }
        #expect(eventually { barrier.waitingCount == 3 })
        barrier.abort()
        for t in waiters { #expect(t.join(timeout: .seconds(10))) }
        #expect(failures.value == 3)
        #expect(barrier.isBroken && barrier.waitingCount == 0)
    }

    @Test("reset while threads wait breaks their wait; the barrier then works again")
    func resetWhileWaiting() {
        let barrier = Barrier(parties: 3)
        let failures = UnguardedBox(0)
        let tally = Lock()
        let waiters = (0..<2).map { _ in
            Thread {
                do { _ = try barrier.wait() } catch BarrierError.broken { tally.withLock { failures.value += 1 } }
            }
        }
        waiters.forEach { $0.start() }
        #expect(eventually { barrier.waitingCount == 2 })
        barrier.reset()
        for t in waiters { #expect(t.join(timeout: .seconds(10))) }
        #expect(failures.value == 2)
        #expect(!barrier.isBroken)
        let indices = UnguardedBox<[Int]>([])
        #expect(onThreads(3) { _ in
            let index = try barrier.wait(timeout: .seconds(30))
            tally.withLock { indices.value.append(index) }
        })
        #expect(indices.value.sorted() == [0, 1, 2])
    }

    @Test("an action that throws breaks the barrier; its thread gets the action's error")
    func actionThrows() {
        struct ActionFailed: Error {}
        let barrier = Barrier(parties: 3, action: { throw ActionFailed() })
        let errors = UnguardedBox<[String]>([])
        let tally = Lock()
        #expect(onThreads(3) { _ in
            do {
                _ = try barrier.wait()
            } catch is ActionFailed {
                tally.withLock { errors.value.append("action") }
            } catch BarrierError.broken {
                tally.withLock { errors.value.append("broken") }
            }
        })
        #expect(errors.value.sorted() == ["action", "broken", "broken"])
        #expect(barrier.isBroken)
    }

    @Test("parties below 1 stop with a precise message")
    func zeroParties() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Barrier(parties: 0)
        }
        #expect(result?.standardErrorText.contains("Barrier(parties: 0): parties must be in 1...") == true)
    }
}
