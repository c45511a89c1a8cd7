import Synchronization
import Testing
@testable import Multitask

/// The event count the shared queue's waits sleep on (`EventCount.wait(until:spin:for:)`).
@Suite("EventCount: waits on the park core", .timeLimit(.minutes(1)))
struct EventCountTests {
    @Test("wait returns true at once when the condition already holds, leaving the word unregistered")
    func readyAtOnce() {
        let storage = SyncStorage(localWords: 1)
        let event = EventCount(word: storage.word(0))
        #expect(event.wait(until: .immediate, for: { true }))
        #expect(storage.word(0).load() & 1 == 0)
    }

    @Test("wait returns false once its deadline passes with the condition still false")
    func timesOut() {
        let storage = SyncStorage(localWords: 1)
        let event = EventCount(word: storage.word(0))
        let took = elapsed { #expect(!event.wait(until: .after(.milliseconds(30)), spin: .none, for: { false })) }
        #expect(took >= .milliseconds(30))
    }

    @Test("a waiter sleeps through announcements until its condition holds, then returns true")
    func wakesWhenConditionHolds() {
        let storage = SyncStorage(localWords: 1)
        let event = EventCount(word: storage.word(0))
        let stage = Atomic<Int>(0)
        let announcer = Thread {
            for next in 1...3 {
                stage.store(next, ordering: .sequentiallyConsistent)
                event.signalAlways()
            }
        }
        announcer.start()
        let done = event.wait(until: .after(.seconds(10)), spin: .none, for: { stage.load(ordering: .sequentiallyConsistent) == 3 })
        let seenAtReturn = stage.load(ordering: .sequentiallyConsistent)
        announcer.join()
        #expect(done)
        #expect(seenAtReturn == 3)
    }
}
