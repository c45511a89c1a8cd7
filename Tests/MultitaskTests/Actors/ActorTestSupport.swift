import Glibc
import Testing
@testable import Multitask

/// Runs `body` with a fresh system, shuts it down, and checks that nothing is left: no
/// zombie children and no queue segment more than before (the process-wide shared arena,
/// made by the first `.fork` child, is not a leak).
func withActorSystem(
    restartPolicy: ActorRestartPolicy = .oneForOne(), callTimeout: Duration? = nil,
    _ body: (ProcessActorSystem) async throws -> Void
) async throws {
    let segmentsBefore = queueSegments().count
    let system = ProcessActorSystem(restartPolicy: restartPolicy, callTimeout: callTimeout)
    do {
        try await body(system)
    } catch {
        system.shutdown()
        throw error
    }
    system.shutdown()
    #expect(eventually { zombieChildren().isEmpty }, "zombie children left: \(zombieChildren())")
    #expect(eventually { queueSegments().count <= segmentsBefore }, "queue segments: \(segmentsBefore) before, after: \(queueSegments())")
}

/// The queue segments (memfd files) this process holds open: descriptor and name.
func queueSegments() -> [String] {
    guard let directory = opendir("/proc/self/fd") else { return [] }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        var target = [UInt8](repeating: 0, count: 256)
        let length = readlink("/proc/self/fd/\(name)", &target, target.count)
        if length > 0, case let text = String(decoding: target.prefix(length), as: UTF8.self), text.hasPrefix("/memfd:multitask-queue") { names.append("\(name): \(text)") }
    }
    return names
}
