import Testing
@testable import Multitask

@Suite("ProgramOutput", .timeLimit(.minutes(1)))
struct ProgramOutputTests {
    @Test("returns what a program found on PATH printed")
    func returnsStandardOutput() throws {
        #expect(try ProgramOutput.of(["echo", "one", "two"]) == "one two\n")
    }

    @Test("the program gets this process's environment")
    func passesTheEnvironment() throws {
        let path = try #require(Environment.value("PATH"))
        #expect(try ProgramOutput.of(["printenv", "PATH"]) == path + "\n")
        #expect(Environment.entries.contains("PATH=" + path))
    }

    @Test("the program reads end of file from standard input")
    func standardInputIsEmpty() throws {
        #expect(try ProgramOutput.of(["wc", "-c"]).trimmingSpaces == "0")
    }

    @Test("a program that exits with a non-zero status throws")
    func failingProgramThrows() {
        #expect(throws: ProgramOutput.Failure.self) { try ProgramOutput.of(["false"]) }
    }

    @Test("a program that does not exist throws")
    func missingProgramThrows() {
        #expect(throws: ProgramOutput.Failure.self) { try ProgramOutput.of(["multitask-no-such-program"]) }
    }
}

private extension String {
    var trimmingSpaces: Substring { drop { $0 == " " }.prefix { $0 != "\n" && $0 != " " } }
}
