extension DeadlockDetector {
    /// What the detector does: nothing, report and continue, or report and stop.
    public enum Mode: UInt32, Sendable, CaseIterable, CustomStringConvertible {
        /// Locks are not followed. The cost is one predictable branch per acquire and release.
        case off = 0
        /// Each distinct cycle is reported once to ``DeadlockDetector/reportHandler`` and the
        /// program continues.
        case report = 1
        /// The first cycle is reported, then the program stops (`fatalError`).
        case trap = 2

        /// `off`, `report` or `trap`, as `MULTITASK_DEADLOCK` spells it.
        public var description: String {
            switch self {
            case .off: "off"
            case .report: "report"
            case .trap: "trap"
            }
        }

        /// Parses `off`, `report` or `trap` (case-insensitive; `0`/`1` mean off/report).
        public init?(_ text: String) {
            switch text.lowercased() {
            case "off", "0", "": self = .off
            case "report", "1": self = .report
            case "trap": self = .trap
            default: return nil
            }
        }
    }

    /// The environment variable that sets the mode at first use: `off`, `report` or `trap`.
    public static let modeVariable = "MULTITASK_DEADLOCK"
    /// The environment variable that sets ``waitThreshold`` at first use, in milliseconds.
    public static let thresholdVariable = "MULTITASK_DEADLOCK_THRESHOLD_MS"
    /// The wait after which the wait-for graph is checked, unless set otherwise.
    public static let defaultWaitThreshold: Duration = .seconds(1)
}

/// The settings the detector starts with: the environment variables, read once.
struct DeadlockDetectorSettings {
    var mode: DeadlockDetector.Mode
    var waitThreshold: Duration

    /// Reads `MULTITASK_DEADLOCK` and `MULTITASK_DEADLOCK_THRESHOLD_MS`; a value that does not
    /// parse is reported on standard error and the default is kept.
    static func fromEnvironment() -> DeadlockDetectorSettings {
        var settings = DeadlockDetectorSettings(mode: .off, waitThreshold: DeadlockDetector.defaultWaitThreshold)
        if let text = Environment.value(DeadlockDetector.modeVariable) {
            if let mode = DeadlockDetector.Mode(text) {
                settings.mode = mode
            } else {
                writeToStandardError("Multitask: ignoring \(DeadlockDetector.modeVariable)=\(text) (expected off, report or trap)\n")
            }
        }
        if let text = Environment.value(DeadlockDetector.thresholdVariable) {
            if let ms = Int(text), ms > 0 {
                settings.waitThreshold = .milliseconds(ms)
            } else {
                writeToStandardError("Multitask: ignoring \(DeadlockDetector.thresholdVariable)=\(text) (expected a positive number of milliseconds)\n")
            }
        }
        return settings
    }
}
