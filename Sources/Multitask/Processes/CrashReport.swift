/// What a child process that crashed left behind: the signal that ended it, for a Swift trap
/// the runtime's fatal error message (`fatalError`, a failed `precondition`, a forced unwrap
/// of `nil`, an out-of-range index, …), and the crashed thread's innermost frames.
///
/// Children catch their fatal signals (SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV),
/// record this in memory the parent reads, and die of the same signal at once. Read it from
/// ``Process/crashReport`` or from ``PoolError/workerCrashed(signal:exitCode:task:report:)``.
/// Frames are named from the symbol tables of the files the parent has loaded itself (its
/// executable and libraries), when it reads ``frames`` or prints the report.
///
/// A failed runtime check's ``message`` depends on the build mode (see there): a debug build
/// keeps the runtime's own, an optimized one recovers it from the debugging information.
///
/// ```swift
/// let p = Process { let values: [Int] = []; _ = values[1] }
/// try p.start(); p.join()
/// print(p.crashReport!)
/// // debug build:
/// // signal 4 (SIGILL): Swift/ContiguousArrayBuffer.swift:692: Fatal error: Index out of range
/// //   #0 Swift._assertionFailure(…) + 0x18a (libswiftCore.so)
/// //   …
/// // release build (`-c release`, not stripped):
/// // signal 4 (SIGILL): main.swift:3: Swift runtime failure: Index out of range
/// //   #0 closure #1 () throws -> () in main + 0x2d (Demo)
/// //   …
/// ```
public struct CrashReport: Sendable, Hashable, CustomStringConvertible {
    /// One frame of the crashed thread: where it was, in which loaded file.
    public struct Frame: Sendable, Hashable, CustomStringConvertible {
        /// The function (demangled), nil when the file has no symbol for the address.
        public let symbol: String?
        /// The distance into ``symbol``, or into the file when there is no symbol.
        public let offset: UInt64
        /// The file's name (last path component): the executable or a library.
        public let file: String

        public var description: String {
            let at = "0x" + String(offset, radix: 16)
            guard let symbol else { return "\(file) + \(at)" }
            return "\(symbol) + \(at) (\(file))"
        }
    }

    /// A frame as the child recorded it: a file path and an offset from its load address.
    struct RecordedFrame: Sendable, Hashable {
        let path: String
        let offset: UInt64
    }

    /// The signal that ended the child.
    public let signal: Int32
    /// The Swift runtime's fatal error message, nil when the crash was not a Swift trap (a
    /// segmentation fault in C code, say).
    ///
    /// What it holds depends on how the failed check was compiled:
    /// - `fatalError`, and the standard library's checks in a debug (`-Onone`) build
    ///   (`precondition`, index out of range, forced unwrap of `nil`, …), call the runtime, which
    ///   keeps the message: "Swift/ContiguousArrayBuffer.swift:691: Fatal error: Index out of
    ///   range".
    /// - In an optimized build (`-O`, `swift build -c release`) those checks, and integer
    ///   overflow in every build, compile to a bare trap instruction that leaves no message
    ///   behind (the signal is SIGILL on x86-64, SIGTRAP on AArch64). The message is then
    ///   recovered from the program's DWARF debugging information, where the compiler names the
    ///   trap "Swift runtime failure: …", with the innermost source line it was reached from:
    ///   "Main.swift:12: Swift runtime failure: Index out of range". SwiftPM writes that
    ///   information in release builds too; a stripped binary (or one built without `-g`) has
    ///   none, and then this is nil and only ``signal`` and ``frames`` remain: the innermost
    ///   frame still names the function the check was compiled into while the symbol table is
    ///   there.
    public var message: String? {
        if let recordedMessage { return recordedMessage }
        // 4 and 5: SIGILL, SIGTRAP, what a trap instruction raises (the only frame a failed
        // check can be at is the first: the interrupted instruction, not a return address).
        guard signal == 4 || signal == 5, let trap = recordedFrames.first else { return nil }
        return CrashSymbolizer.runtimeFailure(at: trap)
    }
    /// The message the child recorded (the runtime's), if any.
    let recordedMessage: String?
    /// The frames as recorded, named when read.
    let recordedFrames: [RecordedFrame]

    /// The crashed thread's innermost frames (up to 16), innermost first; empty if the child
    /// could not record them.
    public var frames: [Frame] { recordedFrames.map(CrashSymbolizer.frame) }

    /// Creates a report without frames; the library makes them, tests may too.
    public init(signal: Int32, message: String?) {
        self.init(signal: signal, message: message, recordedFrames: [])
    }

    init(signal: Int32, message: String?, recordedFrames: [RecordedFrame]) {
        self.signal = signal
        recordedMessage = message
        self.recordedFrames = recordedFrames
    }

    /// How many frames ``description`` shows (``frames`` has them all).
    public static let describedFrames = 6

    /// The signal and message, then the innermost ``describedFrames`` frames, one per line.
    public var description: String {
        let name = SignalName.of(signal)
        var text = "signal \(signal) (\(name))"
        if let message, !message.isEmpty { text += ": \(message)" }
        for (index, frame) in frames.prefix(Self.describedFrames).enumerated() { text += "\n  #\(index) \(frame)" }
        return text
    }
}
