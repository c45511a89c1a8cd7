import Multitask

/// A ``PoolError`` as it travels from a node back to the front end: the case and its fields.
/// A crash report keeps its signal and the runtime's message (its frames are named on the
/// node, from files the front end may not have).
struct MPIFailure: Codable, Sendable, Hashable {
    /// The ``PoolError`` case.
    enum Case: UInt8, Codable, Sendable {
        case timedOut, closed, terminated, cancelled, workerCrashed, taskTimedOut, taskFailed, workersCannotStart
    }

    var kind: Case
    var signal: Int32?
    var exitCode: Int32?
    var reportSignal: Int32?
    var reportMessage: String?
    var timeoutNanoseconds: Int64?
    var errorType: String?
    var text: String?
    var count: Int?

    /// The travelling form of `error`.
    init(_ error: PoolError) {
        switch error {
        case .timedOut: kind = .timedOut
        case .closed: kind = .closed
        case .terminated: kind = .terminated
        case .cancelled: kind = .cancelled
        case let .workerCrashed(signal, exitCode, _, report):
            kind = .workerCrashed
            (self.signal, self.exitCode) = (signal, exitCode)
            (reportSignal, reportMessage) = (report?.signal, report?.message)
        case let .taskTimedOut(timeout, _):
            kind = .taskTimedOut
            timeoutNanoseconds = timeout.totalNanoseconds
        case let .taskFailed(errorType, description, _):
            kind = .taskFailed
            (self.errorType, text) = (errorType, description)
        case let .workersCannotStart(count, signal, exitCode):
            kind = .workersCannotStart
            (self.count, self.signal, self.exitCode) = (count, signal, exitCode)
        }
    }

    /// The error again, naming the task as `task` (the front end's label and the node).
    func error(task: String) -> PoolError {
        switch kind {
        case .timedOut: .timedOut
        case .closed: .closed
        case .terminated: .terminated
        case .cancelled: .cancelled
        case .workerCrashed:
            .workerCrashed(signal: signal, exitCode: exitCode, task: task,
                           report: reportSignal.map { CrashReport(signal: $0, message: reportMessage) })
        case .taskTimedOut: .taskTimedOut(timeout: .nanoseconds(timeoutNanoseconds ?? 0), task: task)
        case .taskFailed: .taskFailed(errorType: errorType ?? "", description: text ?? "", task: task)
        case .workersCannotStart: .workersCannotStart(count: count ?? 0, signal: signal, exitCode: exitCode)
        }
    }
}
