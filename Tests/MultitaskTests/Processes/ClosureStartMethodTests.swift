import Testing
@testable import Multitask

/// A closure can only run in a `.fork` child, so no call that pairs one with another start
/// method compiles (checked by type-checking snippets against this build's modules).
@Suite("Closures and start methods", .timeLimit(.minutes(3)))
struct ClosureStartMethodTests {
    @Test("Process(startMethod:) with a closure, sync or async, does not compile, and says why",
          arguments: ["{}", "{ () async throws in }"])
    func processWithStartMethod(closure: String) throws {
        for method in ["spawn", "forkserver", "fork"] {
            let outcome = try CompileCheck.typecheck("""
                import Multitask
                let p = Multitask.Process(startMethod: .\(method)) \(closure)
                """)
            #expect(!outcome.succeeded)
            #expect(outcome.diagnostics.contains("is unavailable: a closure always runs in a .fork child"), "\(outcome.diagnostics)")
        }
    }

    @Test("ProcessContext(startMethod:).process { } does not compile, and says why")
    func contextWithClosure() throws {
        let outcome = try CompileCheck.typecheck("""
            import Multitask
            let p = ProcessContext(startMethod: .spawn).process { print("hi") }
            """)
        #expect(!outcome.succeeded)
        #expect(outcome.diagnostics.contains("is unavailable: a closure always runs in a .fork child: use Process { ... }"), "\(outcome.diagnostics)")
    }

    @Test("closures without a start method, and entries with any, compile")
    func validFormsCompile() throws {
        let outcome = try CompileCheck.typecheck("""
            import Multitask
            struct Job: ProcessEntry { func run() throws {} }
            let a = Multitask.Process(name: "a", daemon: true) { print("fork") }
            let b = Multitask.Process { () async throws in }
            let c = Multitask.Process(startMethod: .spawn, entry: Job())
            let d = ProcessContext(startMethod: .forkserver).process(name: "d", entry: Job())
            """)
        #expect(outcome.succeeded, "\(outcome.diagnostics)")
    }
}
