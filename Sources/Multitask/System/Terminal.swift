import Glibc

/// Queries about the terminal on a file descriptor.
package enum Terminal {
    /// Whether `fd` refers to a terminal. The corresponding C function is `isatty`.
    package static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// The number of columns of the terminal on `fd`, or `nil` if it is not a terminal or
    /// reports zero. The corresponding C call is `ioctl(TIOCGWINSZ)`.
    static func columns(_ fd: Int32) -> Int? {
        var size = winsize()
        let rc = withUnsafeMutablePointer(to: &size) { ioctl(fd, UInt(TIOCGWINSZ), $0) }
        guard rc == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}
