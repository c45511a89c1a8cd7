import Glibc
import Testing
@testable import Multitask

/// Writes `text` to standard output (through `print`) and to standard error.
struct PrintEntry: ProcessEntry {
    var text: String
    func run() throws {
        print("out:\(text)")
        var line = "err:\(text)\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }
}

/// Children of every start method write to the standard output and error their parent has
/// when it starts them — also `.forkserver` children, whose server was started earlier.
@Suite("Child standard output and error", .serialized, .timeLimit(.minutes(1)))
struct StandardStreamsTests {
    @Test("after the parent redirects descriptors 1 and 2, a child it starts writes into the redirects",
          arguments: StartMethod.allCases)
    func followsRedirect(method: StartMethod) throws {
        let output = ReportPipe(), errors = ReportPipe()
        // A helper process owns the redirected streams, so the test runner's are left alone.
        let helper = Multitask.Process(name: "redirecting") {
            // Its fork server (and every other helper) starts first, with the streams as they were.
            let warmUp = Multitask.Process(startMethod: method, entry: StatusEntry(status: 0))
            try warmUp.start()
            warmUp.join()
            dup2(output.writeEnd, 1)
            dup2(errors.writeEnd, 2)
            close(output.writeEnd)
            close(errors.writeEnd)
            let printer = Multitask.Process(startMethod: method, entry: PrintEntry(text: "\(method)"))
            try printer.start()
            printer.join()
            try childRequire(warmUp.exitCode == 0 && printer.exitCode == 0)
        }
        try helper.start()
        #expect(joinOrKill(helper))
        #expect(helper.exitCode == 0)
        #expect(output.readAll() == "out:\(method)\n")
        #expect(errors.readAll() == "err:\(method)\n")
    }
}
