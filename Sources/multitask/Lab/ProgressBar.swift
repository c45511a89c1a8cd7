/// A one-line progress bar on standard error, redrawn in place.
struct ProgressBar {
    let enabled: Bool
    var width = 28

    func show(done: Int, total: Int, label: String) {
        guard enabled, total > 0 else { return }
        let filled = width * done / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        writeError("\r\u{1B}[2K[\(bar)] \(done)/\(total) \(label)")
    }

    func finish() {
        guard enabled else { return }
        writeError("\r\u{1B}[2K")
    }
}
