import Glibc
import Testing
@testable import Multitask

/// What `ps` and `pstree` show for children: a chosen process name, else the program's own
/// name — never `exe`, the name of the file (`/proc/self/exe`) copies are started from.
@Suite("Process names in the kernel", .timeLimit(.minutes(1)))
struct ProcessNameTests {
    /// `/proc/PID/comm` without its newline.
    private func comm(_ pid: Int32?) -> String? {
        guard let pid, let text = readFile("/proc/\(pid)/comm") else { return nil }
        return String(text.dropLast(text.hasSuffix("\n") ? 1 : 0))
    }

    /// The arguments of `pid`, from `/proc/PID/cmdline`.
    private func arguments(_ pid: Int32?) -> [String] {
        guard let pid, let text = readFile("/proc/\(pid)/cmdline") else { return [] }
        return text.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    @Test("a chosen name is the child's kernel name, cut to 15 bytes; a default-named child has the program's name and arguments",
          arguments: StartMethod.allCases)
    func names(method: StartMethod) throws {
        let named = Multitask.Process(name: "worker-with-a-long-name", daemon: true, startMethod: method, entry: SleepEntry(seconds: 30))
        let renamed = Multitask.Process(daemon: true, startMethod: method, entry: SleepEntry(seconds: 30))
        renamed.name = "renamed"
        let unnamed = Multitask.Process(daemon: true, startMethod: method, entry: SleepEntry(seconds: 30))
        let children = [named, renamed, unnamed]
        defer {
            for child in children { child.kill(); joinOrKill(child) }
        }
        for child in children { try child.start() }
        // Ours: the program's name as the kernel recorded it when this program started.
        let program = try #require(comm(getpid()))
        #expect(eventually { comm(named.pid) == "worker-with-a-l" }, "\(comm(named.pid) ?? "nil")")
        #expect(eventually { comm(renamed.pid) == "renamed" }, "\(comm(renamed.pid) ?? "nil")")
        #expect(eventually { comm(unnamed.pid) == program }, "\(comm(unnamed.pid) ?? "nil") is not \(program)")
        #expect(comm(unnamed.pid) != "exe")
        #expect(arguments(unnamed.pid) == arguments(getpid()))
        #expect(arguments(named.pid).first == CommandLine.arguments.first)
    }

    @Test("an unnamed fork child takes its parent's kernel name, also when the parent is a named child")
    func forkChildTakesParentName() throws {
        let report = ReportPipe()
        let outer = Multitask.Process(name: "outer-parent") {
            let inner = Multitask.Process { report.write(readFile("/proc/self/comm") ?? "unreadable") }
            try inner.start()
            inner.join()
        }
        try outer.start()
        #expect(joinOrKill(outer))
        #expect(outer.exitCode == 0)
        #expect(report.readAll() == "outer-parent\n")
    }

    @Test("a name is cut at a character boundary, never inside a multi-byte character")
    func multiByteName() throws {
        let child = Multitask.Process(name: "élan-vital-ü-ok", daemon: true, startMethod: .fork, entry: SleepEntry(seconds: 30))
        defer { child.kill(); joinOrKill(child) }
        try child.start()
        // "élan-vital-ü" is 14 bytes; the next "-" fits, "o" would not.
        #expect(eventually { comm(child.pid) == "élan-vital-ü-" }, "\(comm(child.pid) ?? "nil")")
    }
}
