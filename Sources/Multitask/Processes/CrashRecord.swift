import CShim
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
    let pointer: UnsafeMutablePointer<cshim_crash_record>
    private static let size = MemoryLayout<cshim_crash_record>.size

    /// A fresh, zeroed record; nil if no shared memory is left (the child then crashes
    /// without a report, nothing else changes).
    init?() {
        guard let placement = try? SharedArena.allocate(byteCount: Self.size) else { return nil }
        owner = placement.owner
        pointer = placement.pointer.bindMemory(to: cshim_crash_record.self, capacity: 1)
    }

    private init(mappedAt pointer: UnsafeMutablePointer<cshim_crash_record>) {
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
        return CrashRecord(mappedAt: (mapping.base + offset).bindMemory(to: cshim_crash_record.self, capacity: 1))
    }

    /// Whether the child has begun recording a crash (it is dying of a fatal signal).
    var isWritten: Bool {
        UnsafeRawPointer(pointer).load(fromByteOffset: MemoryLayout<cshim_crash_record>.offset(of: \.state)!, as: UInt32.self) != 0
    }

    /// In the parent, after the child ended: what it wrote, if it wrote at least the signal.
    func read() -> CrashReport? {
        let raw = UnsafeRawPointer(pointer)
        let state = raw.load(fromByteOffset: MemoryLayout<cshim_crash_record>.offset(of: \.state)!, as: UInt32.self)
        guard state == 1 || state == 2 else { return nil }
        let signal = raw.load(fromByteOffset: MemoryLayout<cshim_crash_record>.offset(of: \.signal)!, as: Int32.self)
        let claimed = raw.load(fromByteOffset: MemoryLayout<cshim_crash_record>.offset(of: \.message_length)!, as: UInt32.self)
        let length = min(Int(claimed), Int(CSHIM_CRASH_MESSAGE_CAPACITY))
        let start = MemoryLayout<cshim_crash_record>.offset(of: \.message)!
        var message = String(decoding: UnsafeRawBufferPointer(start: raw + start, count: length), as: UTF8.self)
        while message.last == "\n" { message.removeLast() }
        return CrashReport(signal: signal, message: message.isEmpty ? nil : message, recordedFrames: state == 2 ? frames() : [])
    }

    /// The frames the child recorded, each checked: a count or a module index out of range
    /// ends the list, a path is read up to its capacity.
    private func frames() -> [CrashReport.RecordedFrame] {
        let raw = UnsafeRawPointer(pointer)
        let layout = MemoryLayout<cshim_crash_record>.self
        let frameCount = min(Int(raw.load(fromByteOffset: layout.offset(of: \.frame_count)!, as: UInt32.self)), Int(CSHIM_CRASH_FRAME_CAPACITY))
        let moduleCount = min(Int(raw.load(fromByteOffset: layout.offset(of: \.module_count)!, as: UInt32.self)), Int(CSHIM_CRASH_MODULE_CAPACITY))
        let pathCapacity = Int(CSHIM_CRASH_MODULE_PATH_CAPACITY)
        let modulesStart = layout.offset(of: \.modules)!
        let paths = (0..<moduleCount).map { index -> String in
            let bytes = UnsafeRawBufferPointer(start: raw + modulesStart + index * pathCapacity, count: pathCapacity)
            return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        let framesStart = layout.offset(of: \.frames)!
        let stride = MemoryLayout<cshim_crash_frame>.stride
        var frames: [CrashReport.RecordedFrame] = []
        for index in 0..<frameCount {
            let frame = raw.load(fromByteOffset: framesStart + index * stride, as: cshim_crash_frame.self)
            let path = frame.module >= 0 && Int(frame.module) < paths.count ? paths[Int(frame.module)] : "?"
            frames.append(CrashReport.RecordedFrame(path: path, offset: frame.offset))
        }
        return frames
    }
}
