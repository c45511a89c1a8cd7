import Testing
@testable import Multitask

@Suite("Event")
struct EventTests {
    @Test("set wakes a waiting thread; clear lowers the flag")
    func setAndClear() {
        let event = Event()
        #expect(!event.isSet)
        let woke = Event()
        let t = Thread {
            event.wait()
            woke.set()
        }
        t.start()
        event.set()
        #expect(woke.wait(timeout: .seconds(10)))
        t.join()
        #expect(event.isSet)
        event.clear()
        #expect(!event.isSet)
    }

    @Test("wait(timeout:) returns false when nobody sets it")
    func timeout() {
        let event = Event()
        #expect(!event.wait(timeout: .milliseconds(30)))
        event.set()
        #expect(event.wait(timeout: .milliseconds(30)))
    }

    @Test("ping-pong between two threads loses no wake-up")
    func pingPong() {
        let ping = Event(), pong = Event()
        let rounds = 20_000
        let t = Thread {
            for _ in 0..<rounds {
                ping.wait(); ping.clear(); pong.set()
            }
        }
        t.start()
        for _ in 0..<rounds {
            ping.set(); pong.wait(); pong.clear()
        }
        #expect(t.join(timeout: .seconds(60)))
    }

    @Test("a set() undone at once by clear() still releases a thread already waiting")
    func pulse() {
        // Whether the waiter wakes before the clear() depends on the scheduler, so repeat.
        for _ in 0..<20 {
            let event = Event()
            let released = Event()
            let waiter = Thread {
                if event.wait(timeout: .seconds(30)) { released.set() }
            }
            waiter.start()
            #expect(eventually { event.hasSleepers })   // past its spin: it is waiting
            event.set()
            event.clear()
            #expect(waiter.join(timeout: .seconds(60)))
            #expect(released.isSet)
            #expect(!event.isSet)
        }
    }
}
