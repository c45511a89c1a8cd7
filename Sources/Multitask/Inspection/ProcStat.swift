/// The fields of `/proc/PID/stat` (or `/proc/PID/task/TID/stat`) that the process table uses.
///
/// The line is `pid (comm) state ppid …`; `comm` may contain spaces and parentheses, so it is
/// taken between the first `(` and the *last* `)`, as procps and psmisc do.
struct ProcStat: Equatable {
    var pid: Int32
    /// The command name (`comm`, at most 15 bytes), as raw bytes.
    var comm: [UInt8]
    var state: Character
    var parentPID: Int32
    var processGroupID: Int32
    var sessionID: Int32
    /// The controlling terminal's device number in the kernel's `tty_nr` encoding; 0: none.
    var terminalDevice: Int32
    /// The foreground process group of the controlling terminal; -1: no terminal.
    var foregroundProcessGroupID: Int32
    var userTicks: UInt64
    var systemTicks: UInt64
    var nice: Int32
    var threadCount: Int
    /// When the process started, in clock ticks after boot.
    var startTicks: UInt64

    /// Parses the file's contents; `nil` if it is not a stat line.
    init?(_ bytes: [UInt8]) {
        guard let open = bytes.firstIndex(of: UInt8(ascii: "(")),
              let close = bytes.lastIndex(of: UInt8(ascii: ")")), open < close,
              let pid = Int32(String(decoding: bytes[..<open], as: UTF8.self).filter { $0 != " " })
        else { return nil }
        let rest = bytes[(close + 1)...].split(separator: UInt8(ascii: " "))
        // Fields after comm, 0-based: state(0) ppid(1) pgrp(2) session(3) tty_nr(4) tpgid(5)
        // flags(6) … utime(11) stime(12) … nice(16) num_threads(17) … starttime(19).
        guard rest.count > 19, let stateByte = rest[0].first else { return nil }
        func int<T: FixedWidthInteger>(_ i: Int, _: T.Type = T.self) -> T? {
            T(String(decoding: rest[i], as: UTF8.self).trimmingSuffixNewline)
        }
        guard let ppid: Int32 = int(1), let pgrp: Int32 = int(2), let session: Int32 = int(3),
              let tty: Int32 = int(4), let tpgid: Int32 = int(5),
              let utime: UInt64 = int(11), let stime: UInt64 = int(12),
              let nice: Int32 = int(16), let threads: Int = int(17), let start: UInt64 = int(19)
        else { return nil }
        self.pid = pid
        self.comm = Array(bytes[(open + 1)..<close])
        self.state = Character(Unicode.Scalar(stateByte))
        self.parentPID = ppid
        self.processGroupID = pgrp
        self.sessionID = session
        self.terminalDevice = tty
        self.foregroundProcessGroupID = tpgid
        self.userTicks = utime
        self.systemTicks = stime
        self.nice = nice
        self.threadCount = threads
        self.startTicks = start
    }
}

extension String {
    /// The string without one trailing newline.
    fileprivate var trimmingSuffixNewline: String {
        hasSuffix("\n") ? String(dropLast()) : self
    }
}
