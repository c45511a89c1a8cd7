#if MPI
import Glibc
import Multitask
@testable import MultitaskMPI
import Testing

/// The bell an MPI thread sleeps on: a ring (from this process, or from a peer that opened it
/// by its address) ends a sleep early; an address that is not this machine's bell opens
/// nothing. Needs no MPI.
@Suite("MPI bell", .timeLimit(.minutes(1)))
struct MPIBellTests {
    /// Milliseconds `body` took.
    func milliseconds(_ body: () -> Void) -> Double {
        let start = ContinuousClock.now
        body()
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return Double(seconds) * 1e3 + Double(attoseconds) / 1e15
    }

    @Test("a wait with no ring lasts its timeout; a ring since clear() ends it at once and is reported")
    func ringBeforeWait() {
        let bell = MPIBell()
        bell.clear()
        #expect(milliseconds { bell.wait(timeout: .milliseconds(30)) } >= 25)
        #expect(!bell.clear())
        bell.ring()
        #expect(milliseconds { bell.wait(timeout: .seconds(20)) } < 5_000)
        #expect(bell.clear())
        #expect(!bell.clear())
    }

    @Test("a peer opened by the bell's address wakes a sleeping owner")
    func peerRingWakes() throws {
        let bell = MPIBell()
        let address = try #require(bell.address)
        let peer = try #require(MPIPeerBell(address: address))
        let ringer = Multitask.Thread(name: "ringer") {
            usleep(50_000)
            peer.ring()
        }
        bell.clear()
        ringer.start()
        let slept = milliseconds { bell.wait(timeout: .seconds(20)) }
        ringer.join()
        #expect(slept < 10_000)
        #expect(bell.clear())
    }

    @Test("an address with another token, another machine's boot id, or no bell opens nothing")
    func foreignAddresses() throws {
        let bell = MPIBell()
        let parts = try #require(bell.address).split(separator: ":").map(String.init)
        try #require(parts.count == 4)
        let token = UInt64(parts[3])!
        #expect(MPIPeerBell(address: [parts[0], parts[1], parts[2], String(token &+ 1)].joined(separator: ":")) == nil)
        #expect(MPIPeerBell(address: ["00000000-0000-0000-0000-000000000000", parts[1], parts[2], parts[3]].joined(separator: ":")) == nil)
        #expect(MPIPeerBell(address: [parts[0], parts[1], "0", parts[3]].joined(separator: ":")) == nil)
        #expect(MPIPeerBell(address: "not a bell") == nil)
        #expect(MPIPeerBell(address: "") == nil)
    }
}
#endif
