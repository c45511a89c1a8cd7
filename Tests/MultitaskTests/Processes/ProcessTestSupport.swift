import Glibc
import Testing
@testable import Multitask

/// Joins `process` within `timeout`; a child still running then is killed (so a broken child
/// never hangs the suite) and the call returns false.
@discardableResult
func joinOrKill(_ process: Multitask.Process, timeout: Duration = .seconds(20)) -> Bool {
    if process.join(timeout: timeout) { return true }
    process.kill()
    process.join()
    return false
}

/// The state letter of `pid` in /proc (R, S, Z, ...), or nil if no such process.
func processState(_ pid: Int32) -> Character? {
    guard let stat = readFile("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return nil }
    let rest = stat[stat.index(after: close)...].drop { $0 == " " }
    return rest.first
}

/// The parent pid of `pid` from /proc, or nil if no such process.
func processParent(_ pid: Int32) -> Int32? {
    guard let stat = readFile("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return nil }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    return fields.count > 1 ? Int32(fields[1]) : nil
}

/// Whether `pid` is no longer a child of ours, running or zombie: gone from /proc, or
/// recycled by a process that is not our child.
func isGoneWithoutZombie(_ pid: Int32) -> Bool {
    processParent(pid) != getpid()
}

/// Whether `pid` no longer runs (absent, or a zombie of some other parent).
func isNotRunning(_ pid: Int32) -> Bool {
    guard let state = processState(pid) else { return true }
    return state == "Z" || state == "X"
}

func readFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = read(fd, &chunk, chunk.count)
        if n <= 0 { break }
        bytes += chunk[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// A pipe for a child to report through; reading collects everything until all writers close.
final class ReportPipe: @unchecked Sendable {
    let readEnd: Int32
    let writeEnd: Int32
    init() {
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0)
        readEnd = fds[0]
        writeEnd = fds[1]
    }
    /// In the child.
    func write(_ text: String) {
        var text = text
        text.withUTF8 { _ = Glibc.write(writeEnd, $0.baseAddress, $0.count) }
    }
    /// In the parent, after joining the writers: everything they wrote. It does not wait for
    /// end of file, since fork children of other tests running in parallel may hold copies
    /// of the write end.
    func readAll() -> String {
        close(writeEnd)
        defer { close(readEnd) }
        _ = fcntl(readEnd, F_SETFL, O_NONBLOCK)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(readEnd, &chunk, chunk.count)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Thrown in a child when a check fails: the child exits with status 1, which the parent's
/// test sees (a test framework does not see failures recorded inside a child).
struct ChildCheckFailed: Error, CustomStringConvertible {
    var description: String
}

/// A check inside a child process, reported through the exit status.
func childRequire(_ condition: Bool, _ message: @autoclosure () -> String = "check failed", file: String = #fileID, line: Int = #line) throws {
    if !condition { throw ChildCheckFailed(description: "\(file):\(line): \(message())") }
}
