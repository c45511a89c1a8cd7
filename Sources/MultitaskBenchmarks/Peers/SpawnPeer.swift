import Glibc

/// The toolchain's own way to start and wait for a process, next to ``ProcessBenchmark``:
/// `posix_spawn` of `/bin/true`, then `waitpid` (the C peer's
/// `posix_spawn_true_waitpid_latency`, from Swift).
public enum SpawnPeer {
    /// The time, in microseconds, of one `posix_spawn("/bin/true")` + `waitpid`.
    public static func startJoinMicroseconds() -> Double {
        let path = "/bin/true"
        var pid: pid_t = 0
        var status: Int32 = 0
        let elapsed = path.withCString { cPath in
            var argv: [UnsafeMutablePointer<CChar>?] = [UnsafeMutablePointer(mutating: cPath), nil]
            return Stopwatch.seconds {
                let failure = posix_spawn(&pid, cPath, nil, nil, &argv, environ)
                guard failure == 0 else { fatalError("SpawnPeer: posix_spawn failed: \(String(cString: strerror(failure)))") }
                while waitpid(pid, &status, 0) < 0 {
                    guard errno == EINTR else { fatalError("SpawnPeer: waitpid failed: \(String(cString: strerror(errno)))") }
                }
            }
        }
        guard status == 0 else { fatalError("SpawnPeer: /bin/true ended with status \(status)") }
        return elapsed * 1e6
    }
}
