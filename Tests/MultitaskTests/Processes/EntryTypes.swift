import Glibc
@testable import Multitask

/// An entry that exits with a chosen status after checking its identity.
struct StatusEntry: ProcessEntry {
    var status: Int32
    var expectedName: String?
    func run() throws {
        if let expectedName { try childRequire(Multitask.currentProcess.name == expectedName, "name \(Multitask.currentProcess.name)") }
        if status != 0 { Multitask.exit(status) }
    }
}

/// An entry that writes facts about itself to a file named by the parent.
struct ReportEntry: ProcessEntry {
    var path: String
    var numbers: [Int]
    var label: String?
    func run() throws {
        let me = Multitask.currentProcess
        let text = "\(me.pid) \(me.parentPID) \(me.name) \(numbers.reduce(0, +)) \(label ?? "nil") \(Multitask.parentProcess?.pid ?? -1)"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var t = text
        t.withUTF8 { _ = write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }
}

enum Outer {
    struct Nested<T: Codable & Sendable>: ProcessEntry {
        var value: T
        var path: String
        func run() throws {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            var t = "\(value)"
            t.withUTF8 { _ = write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
    }
}

/// Throws from `run()`; the report of the uncaught error goes to /dev/null (what it says is
/// checked with a closure child that captures its standard error).
struct ThrowingEntry: ProcessEntry {
    struct Boom: Error {}
    func run() throws {
        silenceStandardError()
        throw Boom()
    }
}

struct SleepEntry: ProcessEntry {
    var seconds: UInt32
    func run() throws { sleep(seconds) }
}

/// Traps with a known message, its standard error sent to /dev/null: the message comes back
/// in the crash report, and a passing test run prints nothing.
struct TrapEntry: ProcessEntry {
    func run() throws {
        silenceStandardError()
        trapInsideNamedFunction()
    }
}

/// The function a crash report's frames should name.
@inline(never)
func trapInsideNamedFunction() -> Never {
    fatalError("deliberate trap in a child")
}

/// Crashes with an index out of range (a runtime check, not `fatalError`), quietly.
struct IndexOutOfRangeEntry: ProcessEntry {
    var index = 3
    func run() throws {
        silenceStandardError()
        let values = [1, 2]
        _ = values[index]
    }

    /// The line of the subscript that fails.
    static let subscriptLine = #line - 4
}

/// Overflows an `Int`, quietly: a check the compiler turns into a bare trap instruction in
/// every build mode, so its message can only come from the debugging information.
struct OverflowEntry: ProcessEntry {
    var value = Int.max
    func run() throws {
        silenceStandardError()
        _ = Self.addOne(value)
    }

    /// The line of the addition that overflows.
    static let additionLine = #line + 2
    @inline(never)
    static func addOne(_ value: Int) -> Int { value + 1 }
}

/// A segmentation fault in C, quietly: no Swift message to report.
struct SegmentationFaultEntry: ProcessEntry {
    func run() throws {
        silenceStandardError()
        raise(SIGSEGV)
    }
}

/// Points standard error at /dev/null, for children that crash on purpose.
func silenceStandardError() {
    let null = open("/dev/null", O_WRONLY)
    dup2(null, 2)
    close(null)
}

private struct PrivateEntry: ProcessEntry {
    func run() throws {}
}

/// A private type, exposed only so a test can check that it is rejected.
func privateEntryTypeName() -> Result<String, EntryType.Unresolvable> {
    EntryType.name(of: PrivateEntry.self)
}
