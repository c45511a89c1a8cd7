import SystemPackage

/// The system-wide values read once per snapshot.
struct SnapshotContext {
    var clockTicksPerSecond: Int
    /// Seconds since boot when the snapshot began.
    var uptime: Double
    /// Boot time, seconds since the epoch.
    var bootTime: Int
    var memoryTotalKiB: UInt64

    static func read() throws(Errno) -> SnapshotContext {
        SnapshotContext(
            clockTicksPerSecond: ProcFS.clockTicksPerSecond,
            uptime: try ProcFS.uptime(),
            bootTime: try ProcFS.bootTime(),
            memoryTotalKiB: try ProcFS.memoryTotalKiB()
        )
    }
}

/// Reads one process from `/proc/PID` into a ``ProcessTable/Entry``.
struct ProcReader {
    let context: SnapshotContext
    let includingThreads: Bool
    private var userNames: [UInt32: String] = [:]

    init(context: SnapshotContext, includingThreads: Bool) {
        self.context = context
        self.includingThreads = includingThreads
    }

    /// The process `pid`, or `nil` if it exited (or became unreadable) while being read.
    mutating func read(pid: Int32) -> ProcessTable.Entry? {
        let dir = "/proc/\(pid)"
        guard let statBytes = try? ProcFS.readFile(dir + "/stat"), let stat = ProcStat(statBytes),
              let statusBytes = try? ProcFS.readFile(dir + "/status"), let status = ProcStatus(statusBytes),
              let cmdline = try? ProcFS.readFile(dir + "/cmdline")
        else { return nil }
        return ProcessTable.Entry(
            stat: stat, status: status, arguments: Self.arguments(cmdline),
            user: userName(status.effectiveUID),
            terminal: TerminalName.name(device: stat.terminalDevice, pid: pid),
            threads: includingThreads ? threads(of: pid) : [],
            context: context
        )
    }

    /// The NUL-separated strings of a `cmdline` file (the final terminator dropped).
    static func arguments(_ bytes: [UInt8]) -> [String] {
        guard !bytes.isEmpty else { return [] }
        var body = bytes[...]
        if body.last == 0 { body = body.dropLast() }
        return body.split(separator: 0, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// Threads other than the main one; threads that exit while being read are left out.
    private func threads(of pid: Int32) -> [ProcessTable.ThreadEntry] {
        guard let tids = try? ProcFS.numericEntries(of: "/proc/\(pid)/task") else { return [] }
        return tids.compactMap { tid in
            guard tid != pid, let bytes = try? ProcFS.readFile("/proc/\(pid)/task/\(tid)/stat"),
                  let stat = ProcStat(bytes) else { return nil }
            return ProcessTable.ThreadEntry(tid: tid, nameBytes: stat.comm)
        }
    }

    private mutating func userName(_ uid: UInt32) -> String {
        if let known = userNames[uid] { return known }
        let name = ProcFS.userName(uid: uid) ?? String(uid)
        userNames[uid] = name
        return name
    }
}
