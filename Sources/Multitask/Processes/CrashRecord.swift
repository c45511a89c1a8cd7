import CShim

/// The shared memory a child writes its ``CrashReport`` into when a fatal signal hits it,
/// made by the parent before the start and read by the parent once the child has ended.
///
/// It is a ``SharedArray`` of bytes, so it reaches a child of any start method like any shared
/// object: inherited by a `.fork` child, carried as a handle in a `.spawn` or `.forkserver`
/// child's payload. The child may write anything there, so reading it checks every field.
struct CrashRecord {
    let bytes: SharedArray<UInt8>

    /// A fresh, empty record; nil if no shared memory is left (the child then crashes
    /// without a report, nothing else changes).
    init?() {
        guard let bytes = try? SharedArray<UInt8>(repeating: 0, count: MemoryLayout<cshim_crash_record>.size, lock: false) else { return nil }
        self.bytes = bytes
    }

    init(bytes: SharedArray<UInt8>) {
        self.bytes = bytes
    }

    /// In the parent, after the child ended: what it wrote, if it wrote a complete record.
    func read() -> CrashReport? {
        bytes.withUnsafeMutableBufferPointer { buffer -> CrashReport? in
            guard buffer.count >= MemoryLayout<cshim_crash_record>.size, let base = buffer.baseAddress else { return nil }
            let raw = UnsafeRawPointer(base)
            guard raw.load(fromByteOffset: MemoryLayout<cshim_crash_record>.offset(of: \.state)!, as: UInt32.self) == 1 else { return nil }
            let signal = raw.load(fromByteOffset: MemoryLayout<cshim_crash_record>.offset(of: \.signal)!, as: Int32.self)
            let claimed = raw.load(fromByteOffset: MemoryLayout<cshim_crash_record>.offset(of: \.message_length)!, as: UInt32.self)
            let length = min(Int(claimed), Int(CSHIM_CRASH_MESSAGE_CAPACITY))
            let start = MemoryLayout<cshim_crash_record>.offset(of: \.message)!
            let message = String(decoding: UnsafeRawBufferPointer(start: raw + start, count: length), as: UTF8.self)
            return CrashReport(signal: signal, message: length == 0 ? nil : message.trimmingTrailingNewlines)
        }
    }
}

/// Installs the C crash handler in a child, keeping its record mapped until the child ends.
enum ChildCrashHandler {
    nonisolated(unsafe) private static var armed: SharedArray<UInt8>?

    /// Catches fatal signals; with a record, writes what happened into it first.
    static func install(record: CrashRecord?) {
        armed = record?.bytes
        guard let record, record.bytes.count >= MemoryLayout<cshim_crash_record>.size else {
            cshim_child_install_crash_handler(nil)
            return
        }
        record.bytes.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { cshim_child_install_crash_handler(UnsafeMutableRawPointer($0).assumingMemoryBound(to: cshim_crash_record.self)) }
        }
    }
}

extension String {
    /// The string without the newlines the runtime puts at the end of its messages.
    fileprivate var trimmingTrailingNewlines: String {
        var result = self
        while result.last == "\n" { result.removeLast() }
        return result
    }
}
