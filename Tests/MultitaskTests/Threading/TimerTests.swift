import Testing
@testable import Multitask

@Suite("Timer")
struct TimerTests {
    @Test("runs its action once, after the interval")
    func fires() {
        let ran = Event()
        let clock = ContinuousClock()
        let start = clock.now
        let firedAt = UnguardedBox<ContinuousClock.Instant?>(nil)
        let timer = Timer(interval: .milliseconds(50), name: "alarm") {
            firedAt.value = clock.now
            ran.set()
        }
        #expect(timer.interval == .milliseconds(50) && timer.name == "alarm")
        timer.start()
        #expect(ran.wait(timeout: .seconds(10)))
        #expect(timer.join(timeout: .seconds(10)))
        let delay = firedAt.value.map { $0 - start }
        #expect(delay.map { $0 >= .milliseconds(45) && $0 < .seconds(5) } == true)
        #expect(timer.isFinished)
        timer.cancel()    // after firing: no effect
    }

    @Test("cancel before the interval stops the action and ends the thread promptly")
    func cancel() {
        let ran = Event()
        let timer = Timer(interval: .seconds(30)) { ran.set() }
        timer.start()
        #expect(timer.isAlive)
        timer.cancel()
        #expect(timer.join(timeout: .seconds(5)))
        #expect(!ran.isSet)
        #expect(timer.isFinished)
    }

    @Test("cancel before start: the action never runs")
    func cancelBeforeStart() {
        let ran = Event()
        let timer = Timer(interval: .milliseconds(1), daemon: true) { ran.set() }
        #expect(timer.isDaemon)
        timer.cancel()
        timer.start()
        #expect(timer.join(timeout: .seconds(5)))
        #expect(!ran.isSet)
    }

    @Test("an error thrown by the action is reported with the timer's name")
    func actionThrows() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            struct Boom: Error {}
            let timer = Timer(interval: .milliseconds(1), name: "fuse") { throw Boom() }
            timer.start()
            timer.join()
        }
        #expect(result?.standardErrorText.contains("Exception in thread fuse: Boom") == true)
    }
}
