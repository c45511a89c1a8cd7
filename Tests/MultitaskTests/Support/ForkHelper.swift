import Glibc
@testable import Multitask

/// Runs closures in forked child processes, for tests of cross-process behaviour before the
/// library's `Process` exists.
///
/// Rules from `notes/swift-probes.md`: flush stdio before `fork`; the child resets the signal
/// mask it inherits from a Dispatch worker, runs only plain Swift (no Dispatch, no async, no
/// test expectations — they are invisible to the parent) and ends with `_exit`, reporting
/// through its exit status. Callers warm up in the parent whatever generic code the child
/// uses, so the child never instantiates new metadata while another parent thread might
/// hold the runtime's metadata lock.
enum ForkHelper {
    /// How a child ended.
    enum Outcome: Equatable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)
        /// Still running at the deadline; it was SIGKILLed and reaped.
        case hung

        var description: String {
            switch self {
            case .exited(let code): "exited with \(code)"
            case .signaled(let signal): "killed by signal \(signal)"
            case .hung: "hung (killed by the watchdog)"
            }
        }
    }

    /// Forks a child that runs `body` and exits with its result; returns the child's pid.
    /// An `alarm` kills a child that outlives `lifetime` seconds even if the parent is gone.
    static func start(lifetime: UInt32 = 120, _ body: () -> Int32) -> pid_t {
        RawFork.start {
            alarm(lifetime)
            let code = body()
            fflush(nil)
            return code
        }
    }

    /// Waits for `pid`, SIGKILLing it if it is still alive after `timeout`.
    static func wait(_ pid: pid_t, timeout: Duration = .seconds(90)) -> Outcome {
        let deadline = Deadline.after(timeout)
        var status: Int32 = 0
        while true {
            let rc = waitpid(pid, &status, WNOHANG)
            if rc == pid { return outcome(status) }
            precondition(rc == 0 || errno == EINTR, "waitpid failed: errno \(errno)")
            if deadline.hasPassed {
                reportHang(pid)
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                return .hung
            }
            usleep(1_000)
        }
    }

    /// Prints where a hung child is stuck (kernel wait channel and a gdb backtrace), so a
    /// hang can be told apart from a deadlock in the runtime after fork.
    private static func reportHang(_ pid: pid_t) {
        fflush(nil)
        _ = system("echo \"ForkHelper: child \(pid) hung; wchan: $(cat /proc/\(pid)/wchan 2>/dev/null)\" >&2; timeout 20 gdb -p \(pid) -batch -ex 'thread apply all bt 25' >&2 2>/dev/null")
    }

    /// Forks a child running `body` and waits for it.
    static func run(timeout: Duration = .seconds(90), _ body: () -> Int32) -> Outcome {
        wait(start(body), timeout: timeout)
    }

    /// Kills `pid` with SIGKILL and reaps it.
    static func kill9(_ pid: pid_t) -> Outcome {
        kill(pid, SIGKILL)
        return wait(pid, timeout: .seconds(30))
    }

    private static func outcome(_ status: Int32) -> Outcome {
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }

    /// The number of open file descriptors of this process.
    static func openDescriptorCount() -> Int {
        guard let dir = opendir("/proc/self/fd") else { return -1 }
        defer { closedir(dir) }
        var count = 0
        while readdir(dir) != nil { count += 1 }
        return count - 3 // ".", ".." and the directory's own descriptor
    }

    /// Names in `/dev/shm` that start with `prefix`.
    static func devShmEntries(prefix: String) -> [String] {
        guard let dir = opendir("/dev/shm") else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name.hasPrefix(prefix) { names.append(name) }
        }
        return names
    }
}
