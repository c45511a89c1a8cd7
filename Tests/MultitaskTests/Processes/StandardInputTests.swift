import Glibc
import Testing
@testable import Multitask

/// Reads standard input up to end-of-file or `limit` bytes and writes it to a file.
///
/// The limit matters: fork children of tests running in parallel inherit copies of the pipe's
/// write end, so end-of-file may come only when they exit.
struct EchoInputEntry: ProcessEntry {
    var path: String
    var limit = 64
    func run() throws {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256)
        while bytes.count < limit {
            let n = read(0, &chunk, min(chunk.count, limit - bytes.count))
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        _ = write(fd, bytes, bytes.count)
        close(fd)
    }
}

@Suite("Child standard input")
struct StandardInputTests {
    // Serialized: a helper forked for one case would inherit the write end of another case's
    // pipe and keep that reader from ever seeing end-of-file.
    @Test("stdin is /dev/null by default and the parent's with .inherit", .serialized, .timeLimit(.minutes(1)), arguments: StartMethod.allCases)
    func standardInput(method: StartMethod) throws {
        let input = ReportPipe()
        let nullPath = "/tmp/multitask-stdin-null-\(getpid())-\(method)"
        let inheritPath = "/tmp/multitask-stdin-inherit-\(getpid())-\(method)"
        defer { unlink(nullPath); unlink(inheritPath) }
        // A helper owns the stdin under test, so the test runner's own is left alone.
        let helper = Multitask.Process(name: "helper") {
            dup2(input.readEnd, 0)
            close(input.readEnd)
            close(input.writeEnd)
            let quiet = Multitask.Process(startMethod: method, entry: EchoInputEntry(path: nullPath))
            try quiet.start()
            quiet.join()
            let reader = Multitask.Process(startMethod: method, stdin: .inherit, entry: EchoInputEntry(path: inheritPath, limit: "typed by the parent".utf8.count))
            try reader.start()
            reader.join()
            try childRequire(quiet.exitCode == 0 && reader.exitCode == 0)
        }
        try helper.start()
        input.write("typed by the parent")
        close(input.writeEnd)
        close(input.readEnd)
        #expect(joinOrKill(helper))
        #expect(helper.exitCode == 0)
        #expect(readFile(nullPath) == "")
        #expect(readFile(inheritPath) == "typed by the parent")
    }
}
