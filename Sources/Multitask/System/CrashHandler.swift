import CShim

/// The C shim's crash handler for child processes: installed in a child, it writes the fatal
/// signal, Swift's fatal error message and the crashed thread's innermost frames into a
/// ``Record`` its parent can read, then dies of the same signal — what Python's
/// `faulthandler` prints, kept for the parent instead.
///
/// The record lives in memory both processes see; the child may write anything there, so
/// ``read(_:)`` checks every field.
///
/// ```swift
/// CrashHandler.install(recordingInto: record)       // in the child, first thing
/// let written = CrashHandler.read(record)            // in the parent, after the child ended
/// ```
enum CrashHandler {
    /// The C layout of one record (fixed size, no pointers: it may be mapped anywhere).
    typealias Record = cshim_crash_record

    /// What a crashing child wrote: the signal, the message (capped, trailing newlines kept),
    /// and the frames if it got that far (nil: the child died before recording them).
    struct Written {
        /// The fatal signal.
        var signal: Int32
        /// Swift's fatal error message, or empty.
        var message: String
        /// The crashed thread's innermost frames, as an offset into a loaded file.
        var frames: [(path: String, offset: UInt64)]?
    }

    /// Installs the handler on the calling (only) thread of a child; with a nil `record`,
    /// only Swift's backtracer is replaced. The corresponding C function is
    /// `cshim_child_install_crash_handler`.
    static func install(recordingInto record: UnsafeMutablePointer<Record>?) {
        cshim_child_install_crash_handler(record)
    }

    /// Loads what taking a backtrace needs (glibc's unwinder), so that a crashing child does
    /// not: call before forking. The corresponding C function is `cshim_prepare_crash_backtrace`.
    static func prepareBacktrace() { cshim_prepare_crash_backtrace() }

    /// Binds, in the parent, the C calls a fork child makes (so each child skips their lazy
    /// symbol lookup); `nullDevice` is an open descriptor and `key` a live thread-specific key
    /// the binding calls may use. The corresponding C function is `cshim_bind_fork_child_calls`.
    static func bindForkChildCalls(nullDevice: CInt, key: ThreadSpecificKey) {
        cshim_bind_fork_child_calls(nullDevice, key.rawValue)
    }

    /// In a child, just before `_exit(status)`: stores `status` in the installed record (if
    /// any), for a parent that sees the process end but does not reap it. The corresponding C
    /// function is `cshim_child_record_exit`.
    static func recordExit(_ status: Int32) { cshim_child_record_exit(status) }

    /// The status the child stored with ``recordExit(_:)``, or nil (it has not, or it died of
    /// a signal or left another way). Safe to read while the child runs: once stored, the
    /// child has done all its work and only `_exit` follows. The corresponding C function is
    /// `cshim_child_recorded_exit`.
    static func recordedExit(_ record: UnsafePointer<Record>) -> Int32? {
        var status: Int32 = 0
        guard cshim_child_recorded_exit(record, &status) != 0 else { return nil }
        // Written by the child, so untrusted: an exit status is 0...255 (`_exit` keeps the
        // low 8 bits); anything else is ignored and the server's report decides.
        return (0...255).contains(status) ? status : nil
    }

    /// Whether the child has begun writing `record` (it is dying of a fatal signal).
    static func hasBegun(_ record: UnsafePointer<Record>) -> Bool {
        UnsafeRawPointer(record).load(fromByteOffset: MemoryLayout<Record>.offset(of: \.state)!, as: UInt32.self) != 0
    }

    /// What the child wrote into `record`, if it wrote at least the signal; every count is
    /// capped at its capacity and a module index out of range ends the frames.
    static func read(_ record: UnsafePointer<Record>) -> Written? {
        let raw = UnsafeRawPointer(record)
        let layout = MemoryLayout<Record>.self
        let state = raw.load(fromByteOffset: layout.offset(of: \.state)!, as: UInt32.self)
        guard state == 1 || state == 2 else { return nil }
        let signal = raw.load(fromByteOffset: layout.offset(of: \.signal)!, as: Int32.self)
        let claimed = raw.load(fromByteOffset: layout.offset(of: \.message_length)!, as: UInt32.self)
        let length = min(Int(claimed), Int(CSHIM_CRASH_MESSAGE_CAPACITY))
        let start = layout.offset(of: \.message)!
        let message = String(decoding: UnsafeRawBufferPointer(start: raw + start, count: length), as: UTF8.self)
        return Written(signal: signal, message: message, frames: state == 2 ? frames(raw) : nil)
    }

    private static func frames(_ raw: UnsafeRawPointer) -> [(path: String, offset: UInt64)] {
        let layout = MemoryLayout<Record>.self
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
        var frames: [(path: String, offset: UInt64)] = []
        for index in 0..<frameCount {
            let frame = raw.load(fromByteOffset: framesStart + index * stride, as: cshim_crash_frame.self)
            let path = frame.module >= 0 && Int(frame.module) < paths.count ? paths[Int(frame.module)] : "?"
            frames.append((path, frame.offset))
        }
        return frames
    }
}
