/// Runs encoded tasks of one ``PoolTask`` type in a worker: decode, run, encode the output.
///
/// Built once per type and worker from the type's mangled name (DESIGN.md decision 4), so
/// each task costs one indirect call and no lookup.
struct PoolTaskRunner {
    /// Runs the task encoded in `task`, appending its encoded output to `output`.
    let run: (_ task: UnsafeRawBufferPointer, _ output: inout [UInt8]) throws -> Void

    /// The runner for the task type named `name`, or nil if no such ``PoolTask`` type exists
    /// in this executable.
    static func resolve(_ name: String) -> PoolTaskRunner? {
        guard let type = _typeByName(name) as? any PoolTask.Type else { return nil }
        return make(type)
    }

    static func make<Task: PoolTask>(_: Task.Type) -> PoolTaskRunner {
        if let chunk = Task.self as? any PoolChunkCoding.Type { return chunk.makeRunner() }
        return PoolTaskRunner(run: Task._poolWorkerBody())
    }
}

/// A task type that no worker could find by its name.
struct PoolUnresolvableTask: Error, CustomStringConvertible {
    var typeName: String
    var description: String {
        "no PoolTask type named '\(typeName)' exists in the worker (is it private, or from another executable?)"
    }
}

/// Running a pool's code paths once in the parent before forking workers.
///
/// A fork child inherits every lock exactly as it was; the Swift runtime's generic-metadata
/// cache lock, held by another parent thread at the instant of fork, deadlocks a child that
/// instantiates metadata (measured: 44 of 300 children of a parent whose threads instantiated
/// generic types hung so). A child that only finds metadata
/// the parent already made, through call-site caches it inherited, does not instantiate any.
/// So the parent exercises, once, what a worker will do: the worker loop itself, and each task
/// type's decoding, before a worker needs them.
enum PoolWarmUp {
    /// A task that does nothing, for the worker-loop rehearsal.
    struct Rehearsal: PoolTask {
        func run() -> Int { 0 }
    }

    /// Whether the worker loop was rehearsed in this process (or the parent it was forked from).
    static let rehearsed = LockedBox(false, inForkChild: { _ in })

    /// Runs the worker loop in this process over a socket pair: one task, then stop.
    static func rehearseWorkerLoop() {
        guard rehearsed.withLock({ rehearsed -> Bool in defer { rehearsed = true }; return !rehearsed }) else { return }
        guard let (parent, child) = try? StreamSocket.pair(),
              let pages = try? SharedPages(size: PoolWorkerStatus.stride) else { return }
        defer {
            parent.close()
            child.close()
            pages.unmap()
        }
        let frames = FrameBuffer(framing: .pool)
        let name = (try? EntryType.name(of: Rehearsal.self).get()) ?? ""
        frames.appendFrame(kind: PoolWire.defineType, header: 0, bytes: Array(name.utf8))
        frames.appendFrame(kind: PoolWire.task, header: 0, bytes: (try? BinaryEncoder().encode(Rehearsal())) ?? [])
        frames.appendFrame(kind: PoolWire.stop, body: UnsafeRawBufferPointer(start: nil, count: 0))
        _ = frames.send(to: parent)
        PoolWorkerLoop.serve(socket: child, status: PoolWorkerStatus(at: pages.base, initialize: true), configuration: .init())
        let replies = FrameBuffer(framing: .pool, keepsLargeBuffer: true)
        _ = try? replies.nextFrame(from: parent) { _, _ in }
    }

    /// Finds `Task` by its name as a worker does (which fills the runtime's conformance
    /// caches for workers forked from now on) and decodes one encoded task, without running it.
    static func rehearseDecoding<Task: PoolTask>(_: Task.Type, payload: [UInt8]) {
        if let name = try? EntryType.name(of: Task.self).get() { _ = PoolTaskRunner.resolve(name) }
        if let chunk = Task.self as? any PoolChunkCoding.Type {
            _ = try? payload.withUnsafeBytes { try chunk.decodeOnly($0) }
        } else {
            _ = try? payload.withUnsafeBytes { try MessageCodec<Task>().decode(from: $0) }
        }
    }
}
