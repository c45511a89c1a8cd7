/// What the process tools need to know about where their output goes: whether standard
/// output is a terminal, how wide it is, and whether the locale is UTF-8.
public enum TerminalInfo {
    /// Whether standard output is a terminal.
    public static var standardOutputIsTerminal: Bool { Terminal.isTerminal(1) }

    /// The width of the terminal on standard output, or `nil` if it is not a terminal.
    public static var standardOutputColumns: Int? { Terminal.columns(1) }

    /// The `COLUMNS` environment variable, when it holds a positive number.
    public static var columnsVariable: Int? {
        guard let text = Environment.value("COLUMNS"), let value = Int(text), value > 0 else { return nil }
        return value
    }

    /// Whether the user's locale uses UTF-8: the first of `LC_ALL`, `LC_CTYPE`, `LANG` that is
    /// set and not empty names a UTF-8 character set (`C.UTF-8`, `en_US.utf8`, …).
    public static var localeUsesUTF8: Bool {
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"].lazy
            .compactMap { Environment.value($0) }.first { !$0.isEmpty } ?? "C"
        let normalized = locale.lowercased().filter { $0 != "-" }
        return normalized.contains("utf8")
    }
}
