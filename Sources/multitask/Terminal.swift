import Multitask

/// Flushes buffered standard output (so progress and results appear in order).
func flushStandardOutput() { ProcessControl.flushStandardStreams() }

/// Whether standard error is a terminal (progress bars only make sense there).
var standardErrorIsTerminal: Bool { Terminal.isTerminal(2) }

/// Writes to standard error without buffering.
func writeError(_ text: String) { writeToStandardError(text) }
