/// Names a controlling terminal the way `ps` does: `pts/3`, `tty1`, `ttyS0`, `console`.
enum TerminalName {
    /// The name of the terminal with kernel device number `device` (`tty_nr` encoding), or
    /// `nil` when the process has no controlling terminal.
    ///
    /// Well-known devices are named from their numbers; others from the link of the process's
    /// standard error (or input/output) when it points at that device under `/dev`.
    static func name(device: Int32, pid: Int32) -> String? {
        guard device != 0 else { return nil }
        let raw = UInt32(bitPattern: device)
        let major = (raw >> 8) & 0xfff
        let minor = (raw & 0xff) | ((raw >> 12) & 0xfff00)
        switch major {
        case 136...143:
            return "pts/\((major - 136) * 256 + minor)"
        case 4 where minor < 64:
            return "tty\(minor)"
        case 4:
            return "ttyS\(minor - 64)"
        case 5 where minor == 0:
            return "tty"
        case 5 where minor == 1:
            return "console"
        default:
            for fd in [2, 1, 0, 255] {
                if let target = ProcFS.readLink("/proc/\(pid)/fd/\(fd)"), target.hasPrefix("/dev/"),
                   !target.hasPrefix("/dev/null") {
                    return String(target.dropFirst(5))
                }
            }
            return "?"
        }
    }
}
