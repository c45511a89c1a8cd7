import SystemPackage

/// The shared memory a child writes its ``CrashReport`` into when a fatal signal hits it,
/// made by the parent before the start and read by the parent once the child has ended.
///
/// It is a placement in the parent's shared arena: a `.fork` child inherits it mapped; a
/// `.spawn` or `.forkserver` child gets the arena segment's descriptor beside its payload,
/// with the record's offset, and maps it with one `mmap` (no `Codable` handle: decoding one
/// would cost a fresh process hundreds of microseconds of first-use runtime work). The child
/// may write anything there, so reading it checks every field.
struct CrashRecord {
    /// Keeps the record mapped in the parent (nil in a child, where it stays mapped for good).
    private let owner: SharedMemory?
    let pointer: UnsafeMutablePointer<CrashHandler.Record>
    private static let size = MemoryLayout<CrashHandler.Record>.size

    /// A fresh, zeroed record; nil if no shared memory is left (the child then crashes
    /// without a report, nothing else changes).
    init?() {
        guard let placement = try? SharedArena.allocate(byteCount: Self.size) else { return nil }
        owner = placement.owner
        pointer = placement.pointer.bindMemory(to: CrashHandler.Record.self, capacity: 1)
    }

    private init(mappedAt pointer: UnsafeMutablePointer<CrashHandler.Record>) {
        owner = nil
        self.pointer = pointer
    }

    /// The segment's descriptor and the record's offset in it, for a child that is not forked.
    var location: (descriptor: Int32, offset: Int)? {
        guard let owner, let base = owner.bytes.baseAddress else { return nil }
        return (owner.fileDescriptor.rawValue, UnsafeMutableRawPointer(pointer) - base)
    }

    /// In a spawned or fork-server child: the record at `offset` of the segment `descriptor`
    /// (a passed copy, which may be closed afterwards: the mapping stays).
    static func adopt(descriptor: Int32, offset: Int) -> CrashRecord? {
        let file = FileDescriptor(rawValue: descriptor)
        guard offset >= 0, let fileSize = try? file.fileSize(), offset <= fileSize - size,
              let mapping = try? MemoryMapping.mapShared(file, length: offset + size)
        else { return nil }
        return CrashRecord(mappedAt: (mapping.base + offset).bindMemory(to: CrashHandler.Record.self, capacity: 1))
    }

    /// Whether the child has begun recording a crash (it is dying of a fatal signal).
    var isWritten: Bool { CrashHandler.hasBegun(pointer) }

    /// In the parent: the status the child left with through ``ChildMain/exit(_:)``, stored
    /// after all its work, right before `_exit`; nil while it runs, or if it ended otherwise
    /// (a signal, or another way out).
    var recordedExit: Int32? { CrashHandler.recordedExit(pointer) }

    /// In the parent, after the child ended: what it wrote, if it wrote at least the signal.
    func read() -> CrashReport? {
        guard let written = CrashHandler.read(pointer) else { return nil }
        var message = written.message
        while message.last == "\n" { message.removeLast() }
        let frames = (written.frames ?? []).map { CrashReport.RecordedFrame(path: $0.path, offset: $0.offset) }
        return CrashReport(signal: written.signal, message: message.isEmpty ? nil : message, recordedFrames: frames)
    }
}
