import Multitask

/// One side (producer or consumer) of a lab channel run: a ``Thread`` or a ``Process``,
/// started, then joined with a time limit, or abandoned when the run went wrong.
protocol ChannelWorker: AnyObject {
    var name: String { get }
    func begin() throws
    /// What went wrong if the worker has already ended badly; nil while it runs or after a
    /// clean end.
    var crash: String? { get }
    /// Waits at most `timeout` for the worker to end; nil when it ended cleanly, else what
    /// went wrong.
    func finish(within timeout: Duration) -> String?
    /// Stops the worker if it can be stopped (a process); a thread is left to the channel's
    /// shutdown, which wakes it.
    func abandon()
}

extension Thread: ChannelWorker {
    func begin() { start() }

    var crash: String? { nil }  // a thread's error is the channel's to report

    func finish(within timeout: Duration) -> String? {
        join(timeout: timeout) ? nil : "\(name) still running after \(timeout)"
    }

    func abandon() {}
}

extension Process: ChannelWorker {
    func begin() throws { try start() }

    var crash: String? {
        exitCode.flatMap { $0 == 0 ? nil : "\(name) ended with exit code \($0)" }
    }

    func finish(within timeout: Duration) -> String? {
        guard join(timeout: timeout) else {
            abandon()
            return "\(name) still running after \(timeout) (terminated)"
        }
        return crash
    }

    func abandon() {
        guard isAlive else { return }
        terminate()
        if !join(timeout: .seconds(1)) {
            kill()
            join()
        }
    }
}
