import Foundation
import Glibc
import SystemPackage
import Testing
@testable import Multitask

/// The `multitask` tool built beside the test bundle, run as a user runs it.
@Suite("The multitask command", .serialized, .timeLimit(.minutes(2)))
struct CommandLineToolTests {
    /// Runs the tool with `arguments`; requires it to have been built.
    private func multitask(_ arguments: String...) throws -> AdmissionProbe.Run {
        try multitask(arguments)
    }

    private func multitask(_ arguments: [String]) throws -> AdmissionProbe.Run {
        let me = try FilePath(readLink("/proc/self/exe"))
        let tool = me.removingLastComponent().appending("multitask").string
        try #require(access(tool, X_OK) == 0, "\(tool) was not built")
        return try AdmissionProbe.run([tool] + arguments, environment: ["PATH=/usr/bin:/bin", "COLUMNS=200"])
    }

    @Test("--version prints the library's version")
    func version() throws {
        let run = try multitask("--version")
        #expect(run.outcome == .exited(0))
        #expect(run.output == Multitask.version + "\n")
        #expect(Multitask.version.split(separator: ".").count == 3)
    }

    @Test("lab refuses a count below 1 before measuring anything, naming the option",
          arguments: [["--cpu-units", "0"], ["--cpu-units", "-3"], ["--blocking-units", "0"], ["--blocking-workers", "0"], ["--messages", "0"]])
    func labRejectsZero(option: [String]) throws {
        let run = try multitask("lab", "\(option[0])=\(option[1])")
        #expect(run.outcome == .exited(64))
        #expect(run.errors.contains("Error: \(option[0]) must be at least 1, not \(option[1])"), "\(run.errors)")
        #expect(run.output.isEmpty && !run.errors.contains("measurements"))
    }

    @Test("help texts refer to nothing outside the repository, and lab's says CPython's CPU units are smaller")
    func helpTexts() throws {
        var texts: [String] = []
        for command in [[], ["lab"], ["bench"], ["ps"], ["pstree"]] {
            let run = try multitask(["help"] + command)
            #expect(run.outcome == .exited(0))
            texts.append(run.output)
        }
        for text in texts {
            #expect(!text.lowercased().contains("seed"))
            #expect(!text.contains("../"))
        }
        let lab = texts[1]
        #expect(lab.contains(" M loop iterations against ") && lab.contains(" M here"))
        #expect(lab.contains("Compare speed-ups, not wall times"))
    }

    @Test("pstree --json prints the tree under a pid: each process with its fields and children")
    func pstreeJSON() throws {
        let gate = ReportPipe()
        defer { close(gate.readEnd); close(gate.writeEnd) }
        let leafReady = ReportPipe()
        let root = Multitask.Process(name: "pstree-root", daemon: true) {
            let leaf = Multitask.Process(name: "pstree-leaf", daemon: true) {
                var byte: UInt8 = 0
                _ = read(gate.readEnd, &byte, 1)
            }
            try leaf.start()
            leafReady.write("\(leaf.pid!)")
            leaf.join()
        }
        try root.start()
        defer { gate.write("x"); joinOrKill(root) }
        // The leaf's pid, once the root started it (it names itself meanwhile).
        var leafPID: Int32?
        #expect(eventually {
            leafPID = leafPID ?? Int32(nonBlockingRead(leafReady.readEnd))
            return leafPID.map { readFile("/proc/\($0)/comm") == "pstree-leaf\n" } ?? false
        })
        let run = try multitask("pstree", "--json", "\(root.pid!)")
        #expect(run.outcome == .exited(0), "\(run.errors)")
        let tree = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
        #expect(tree["pid"] as? Int == Int(root.pid!))
        #expect(tree["name"] as? String == "pstree-root")
        #expect(tree["ppid"] as? Int == Int(getpid()))
        let children = try #require(tree["children"] as? [[String: Any]])
        #expect(children.count == 1)
        #expect(children.first?["name"] as? String == "pstree-leaf")
        #expect(children.first?["pid"] as? Int == leafPID.map(Int.init))
        #expect((children.first?["children"] as? [Any])?.isEmpty == true)
        #expect(tree["threadNames"] is [String])
    }

    @Test("pstree --json for a pid that does not exist fails with a message")
    func pstreeJSONMissing() throws {
        let run = try multitask("pstree", "--json", "999999999")
        #expect(run.outcome == .exited(1))
        #expect(run.errors.contains("no process with pid 999999999"))
    }

    /// What `fd` holds now, without waiting.
    private func nonBlockingRead(_ fd: Int32) -> String {
        _ = fcntl(fd, F_SETFL, O_NONBLOCK)
        var bytes = [UInt8](repeating: 0, count: 64)
        let n = read(fd, &bytes, bytes.count)
        return String(decoding: bytes.prefix(max(n, 0)), as: UTF8.self)
    }
}
