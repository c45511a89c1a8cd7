import Glibc
import Testing
@testable import Multitask

/// `Connection.wait` over connections and processes together (Python's
/// `multiprocessing.connection.wait` on connections and sentinels).
@Suite("Connection.wait over connections and processes", .timeLimit(.minutes(1)))
struct ConnectionWaitTests {
    /// A fork child that runs until `gate` is written to (or closed).
    private static func gatedChild(_ gate: ReportPipe) -> Multitask.Process {
        Multitask.Process(daemon: true) {
            var byte: UInt8 = 0
            _ = read(gate.readEnd, &byte, 1)
        }
    }

    @Test("the child that ended is ready, the running one is not; a connection with a message is ready beside them")
    func processesAndConnections() throws {
        let gate = ReportPipe()
        defer { close(gate.readEnd); close(gate.writeEnd) }
        let quick = Multitask.Process {}
        let gated = Self.gatedChild(gate)
        try quick.start()
        try gated.start()
        let (receiver, sender) = try Pipe(duplex: false)

        // Nothing is ready but `quick`, once it ends: wait returns it alone.
        let first = Connection.wait([receiver], processes: [gated, quick], timeout: .seconds(20))
        #expect(first.connections.isEmpty)
        #expect(first.processes.map(ObjectIdentifier.init) == [ObjectIdentifier(quick)])

        try sender.send(5)
        let second = Connection.wait([receiver], processes: [gated], timeout: .seconds(20))
        #expect(second.connections.map(ObjectIdentifier.init) == [ObjectIdentifier(receiver)])
        #expect(second.processes.isEmpty)
        #expect(try receiver.receive(Int.self) == 5)

        gate.write("x")
        let third = Connection.wait([receiver], processes: [gated], timeout: .seconds(20))
        #expect(third.processes.map(ObjectIdentifier.init) == [ObjectIdentifier(gated)])
        // A fork child whose pidfd is readable has ended: join returns without waiting.
        #expect(gated.join(timeout: .zero))
        #expect(joinOrKill(quick))
        #expect(gated.exitCode == 0 && quick.exitCode == 0)
    }

    @Test("nothing ready: both arrays are empty at the timeout")
    func timesOut() throws {
        let gate = ReportPipe()
        defer { close(gate.readEnd); close(gate.writeEnd) }
        let gated = Self.gatedChild(gate)
        try gated.start()
        let (receiver, sender) = try Pipe(duplex: true)
        let ready = Connection.wait([receiver], processes: [gated], timeout: .milliseconds(50))
        #expect(ready.connections.isEmpty && ready.processes.isEmpty)
        sender.close()
        gate.write("x")
        #expect(joinOrKill(gated))
    }

    @Test("a child of any start method is ready once it ended; one joined or closed earlier is ready at once",
          arguments: StartMethod.allCases)
    func everyStartMethod(method: StartMethod) throws {
        let sleeper = Multitask.Process(daemon: true, startMethod: method, entry: SleepEntry(seconds: 30))
        let quick = Multitask.Process(startMethod: method, entry: StatusEntry(status: 6))
        try sleeper.start()
        try quick.start()
        let ready = Connection.wait(processes: [sleeper, quick], timeout: .seconds(20))
        #expect(ready.processes.map(ObjectIdentifier.init) == [ObjectIdentifier(quick)])
        #expect(joinOrKill(quick, timeout: .seconds(10)))
        #expect(quick.exitCode == 6)
        // Joined (its pidfd released): ready without waiting.
        #expect(Connection.wait(processes: [sleeper, quick], timeout: .zero).processes.count == 1)
        quick.close()
        #expect(Connection.wait(processes: [quick], timeout: .zero).processes.count == 1)
        sleeper.terminate()
        #expect(joinOrKill(sleeper))
    }

    @Test("waiting on a process that was never started stops the program")
    func unstartedProcess() async {
        await #expect(processExitsWith: .failure) {
            _ = Connection.wait(processes: [Multitask.Process {}], timeout: .zero)
        }
    }
}
