import Testing
@testable import Multitask

@Suite("EventLoop", .timeLimit(.minutes(1)))
struct EventLoopTests {
    @Test("a ring wakes the wait, is reported once, and is drained")
    func ringIsReportedAndDrained() throws {
        let loop = try EventLoop()
        defer { loop.close() }
        loop.ring()
        var tags: [UInt64] = []
        #expect(loop.wait(timeoutMilliseconds: 1_000) { tags.append($0) })
        #expect(tags.isEmpty)
        #expect(!loop.wait(timeoutMilliseconds: 0) { tags.append($0) })
    }

    @Test("a ready descriptor is reported with its tag until it is unwatched")
    func readyDescriptorReportsItsTag() throws {
        let loop = try EventLoop()
        defer { loop.close() }
        let (a, b) = try StreamSocket.pair()
        defer { a.close(); b.close() }
        try loop.watch(b.fd, tag: 42)
        var tags: [UInt64] = []
        #expect(!loop.wait(timeoutMilliseconds: 0) { tags.append($0) })
        #expect(tags.isEmpty)
        let written = [UInt8(1)].withUnsafeBytes { a.write($0) }
        guard case .bytes(1) = written else { Issue.record("the write did not go through: \(written)"); return }
        loop.wait(timeoutMilliseconds: 1_000) { tags.append($0) }
        #expect(tags == [42])
        loop.unwatch(b.fd)
        tags = []
        loop.wait(timeoutMilliseconds: 0) { tags.append($0) }
        #expect(tags.isEmpty)
    }

    @Test("the timer wake-up rounds up to whole milliseconds, at least 1, and -1 without a deadline")
    func timeoutMillisecondsRoundUp() {
        #expect(EventLoop.timeoutMilliseconds(until: nil, now: 0) == -1)
        #expect(EventLoop.timeoutMilliseconds(until: 5, now: 10) == 1)
        #expect(EventLoop.timeoutMilliseconds(until: 1_000_001, now: 0) == 2)
        #expect(EventLoop.timeoutMilliseconds(until: 3_000_000, now: 0) == 3)
    }
}
