import Glibc

/// Flushes buffered standard output (so progress and results appear in order).
func flushStandardOutput() { fflush(nil) }

/// Whether standard error is a terminal (progress bars only make sense there).
var standardErrorIsTerminal: Bool { isatty(2) == 1 }

/// Writes to standard error without buffering.
func writeError(_ text: String) {
    var text = text
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}
