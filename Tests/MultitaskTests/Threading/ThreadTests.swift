import Glibc
import Synchronization
import Testing
@testable import Multitask

/// Counts its deinits (a thread-local value released when its thread ends), slowly: a join
/// that returned before the OS thread finished would see the count lag.
private final class ThreadEndWitness: Sendable {
    static let released = Atomic<Int>(0)
    deinit {
        usleep(2_000)
        Self.released.add(1, ordering: .sequentiallyConsistent)
    }
}

/// A thread-local value whose release blocks until `gate` is set (at most 30 s).
private final class GatedRelease: Sendable {
    let gate: Event
    init(_ gate: Event) { self.gate = gate }
    deinit { _ = gate.wait(timeout: .seconds(30)) }
}

@Suite("Thread")
struct ThreadTests {
    @Test("a timed join does not wait past its timeout for the OS thread; a later join reaps it")
    func timedJoinIsBounded() {
        let gate = Event()
        let local = ThreadLocal<GatedRelease?> { nil }
        let t = Thread { local.value = GatedRelease(gate) }
        t.start()
        let took = elapsed { #expect(t.join(timeout: .milliseconds(300))) }
        #expect(took < .seconds(15), "join(timeout:) waited \(took) for a thread-local destructor")
        gate.set()
        t.join()
    }

    @Test("join returns once the OS thread is gone: its thread-local values are released by then")
    func joinWaitsForTheOSThread() {
        let local = ThreadLocal<ThreadEndWitness?> { nil }
        for round in 1...20 {
            let t = Thread { local.value = ThreadEndWitness() }
            t.start()
            t.join()
            #expect(ThreadEndWitness.released.load(ordering: .sequentiallyConsistent) == round)
        }
        // A timed join reaps too, and joining again is harmless.
        let t = Thread { local.value = ThreadEndWitness() }
        t.start()
        #expect(t.join(timeout: .seconds(30)))
        t.join()
        #expect(ThreadEndWitness.released.load(ordering: .sequentiallyConsistent) == 21)
    }

    @Test("a closure thread runs, is alive, then joins")
    func closure() {
        let gate = Event()
        let t = Thread(name: "closure") { gate.wait() }
        #expect(!t.isAlive)
        t.start()
        #expect(t.isAlive)
        #expect(!t.join(timeout: .milliseconds(20)))
        gate.set()
        #expect(t.join(timeout: .seconds(10)))
        #expect(!t.isAlive)
    }

    @Test("a subclass overrides run and sees itself as Thread.current")
    func subclass() {
        final class Worker: Thread, @unchecked Sendable {
            let sawSelf = Event()
            override func run() throws {
                if Thread.current === self, Thread.current.name == "sub" { sawSelf.set() }
            }
        }
        let w = Worker(name: "sub")
        w.start()
        w.join()
        #expect(w.sawSelf.isSet)
        #expect(w.nativeID != nil && w.ident != nil)
    }

    @Test("main thread and the alive list")
    func registry() {
        #expect(Thread.main.name == "MainThread")
        let gate = Event()
        let t = Thread(name: "listed") { gate.wait() }
        t.start()
        #expect(Thread.all.contains { $0 === t })
        gate.set()
        t.join()
        #expect(!Thread.all.contains { $0 === t })
    }

    @Test("starting twice stops with a precise message")
    func startTwice() async {
        await #expect(processExitsWith: .failure) {
            let t = Thread {}
            t.start()
            t.start()
        }
    }
}
