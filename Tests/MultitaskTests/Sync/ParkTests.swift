import Synchronization
import Testing
@testable import Multitask

/// The one wait loop under every blocking primitive (`FutexWord.park`).
@Suite("Park: the futex wait core", .timeLimit(.minutes(1)))
struct ParkTests {
    @Test("park returns true at once when prepare says done, without sleeping")
    func doneAtOnce() {
        let storage = SyncStorage(localWords: 1)
        let word = storage.word(0)
        var asked = 0
        let done = word.park(until: nil) {
            asked += 1
            return .done
        }
        #expect(done)
        #expect(asked == 1)
    }

    @Test("park returns false once its deadline passes while the word keeps its value")
    func timesOut() {
        let storage = SyncStorage(localWords: 1)
        let word = storage.word(0)
        let took = elapsed {
            #expect(!word.park(until: .after(.milliseconds(30))) { .sleep(expecting: 0) })
        }
        #expect(took >= .milliseconds(30))
    }

    @Test("after the deadline prepare has a last say: a claim that succeeds then counts as done")
    func lastSay() {
        let storage = SyncStorage(localWords: 1)
        let word = storage.word(0)
        var calls = 0
        let done = word.park(until: .immediate) {
            calls += 1
            // The first answer sleeps (and times out at once); the last say finds the state ready.
            return calls == 1 ? .sleep(expecting: 0) : .done
        }
        #expect(done)
        #expect(calls == 2)
    }

    @Test("retry asks prepare again without sleeping")
    func retry() {
        let storage = SyncStorage(localWords: 1)
        let word = storage.word(0)
        var calls = 0
        let done = word.park(until: nil) {
            calls += 1
            return calls < 5 ? .retry : .done
        }
        #expect(done)
        #expect(calls == 5)
    }

    @Test("a sleeper wakes when another thread changes the word and wakes it")
    func wokenByAnotherThread() {
        let storage = SyncStorage(localWords: 1)
        let word = storage.word(0)
        let waker = Thread {
            word.store(1)
            word.wakeAll()
        }
        waker.start()
        let done = word.park(until: .after(.seconds(10))) {
            let value = word.load()
            return value == 0 ? .sleep(expecting: 0) : .done
        }
        waker.join()
        #expect(done)
    }

    @Test("a successful spin ends the wait without asking prepare")
    func spinSucceeds() {
        let storage = SyncStorage(localWords: 1)
        let word = storage.word(0)
        var asked = false
        let done = word.park(until: nil, spin: .signal, poll: { true }) {
            asked = true
            return .done
        }
        #expect(done)
        #expect(!asked)
    }

    @Test("Deadline.pollMilliseconds is -1 for no deadline, 0 for a passed one, else the time left in milliseconds")
    func pollMilliseconds() {
        #expect(Deadline.pollMilliseconds(until: nil) == -1)
        #expect(Deadline.pollMilliseconds(until: .immediate) == 0)
        // 100 s minus whatever this thread lost since, rounded up to whole milliseconds.
        let later = Deadline.pollMilliseconds(until: .after(.seconds(100)))
        #expect(later > 90_000 && later <= 100_000)
    }
}
