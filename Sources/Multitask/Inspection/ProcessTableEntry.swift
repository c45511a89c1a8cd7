extension ProcessTable {
    /// One process as `/proc` described it when the snapshot was taken.
    ///
    /// The numbers are the ones `ps aux` prints, computed the same way: ``cpuPercent`` is CPU
    /// time divided by the time since the process started (not a recent rate), and
    /// ``memoryPercent`` is the resident set size divided by `MemTotal`, both truncated to one
    /// decimal.
    ///
    /// ```swift
    /// let me = try ProcessTable.snapshot().current!
    /// print(me.pid, me.user, me.stat, me.processState, me.command)
    /// ```
    public struct Entry: Sendable, Hashable, Identifiable {
        /// The process id.
        public let pid: Int32
        /// The parent's process id (0 for the kernel's first tasks).
        public let parentPID: Int32
        /// The effective user id.
        public let uid: UInt32
        /// The effective user's name, or the uid in decimal when it has none (`ps` USER).
        public let user: String
        /// The command name the kernel keeps (`comm`, at most 15 bytes; thread names use it).
        public let name: String
        /// The command line; empty for kernel threads and zombies.
        public let arguments: [String]
        /// The kernel's state letter (`ps` STAT's first letter).
        public let kernelState: KernelState
        /// The nice value, -20 (favoured) to 19.
        public let nice: Int32
        /// The process group id.
        public let processGroupID: Int32
        /// The session id.
        public let sessionID: Int32
        /// The foreground process group of the controlling terminal, -1 without a terminal.
        public let foregroundProcessGroupID: Int32
        /// The controlling terminal, named like `ps` does (`pts/0`, `tty1`), `nil` without one.
        public let terminal: String?
        /// How many threads the process has, the main thread included.
        public let threadCount: Int
        /// The threads other than the main one; empty unless the snapshot was taken with
        /// `includingThreads: true`.
        public let threads: [ThreadEntry]
        /// User plus system CPU time used so far (`ps` TIME).
        public let cpuTime: Duration
        /// When the process started, in whole seconds since the Unix epoch (`ps` START).
        public let startTime: Int
        /// Virtual memory size in KiB (`ps` VSZ).
        public let virtualMemoryKiB: UInt64
        /// Resident set size in KiB (`ps` RSS).
        public let residentMemoryKiB: UInt64
        /// Memory locked into RAM in KiB (`ps` STAT `L`).
        public let lockedMemoryKiB: UInt64
        /// CPU use in tenths of a percent, as `ps` computes %CPU: CPU time × 1000 / lifetime.
        public let cpuUsagePerMille: Int
        /// Memory use in tenths of a percent, as `ps` computes %MEM: RSS × 1000 / MemTotal.
        public let memoryUsagePerMille: Int

        /// Start time in clock ticks after boot (orders processes started in the same second).
        let startTicks: UInt64
        /// `comm` as raw bytes (pstree escapes bytes, not characters).
        let nameBytes: [UInt8]

        /// The process id.
        public var id: Int32 { pid }

        /// Where the process is in the five-state model.
        public var processState: ProcessState { kernelState.processState }

        /// `ps` %CPU as a number: 12.3 means 12.3 % of one CPU over the process's lifetime.
        public var cpuPercent: Double { Double(cpuUsagePerMille) / 10 }

        /// `ps` %MEM as a number.
        public var memoryPercent: Double { Double(memoryUsagePerMille) / 10 }

        /// Whether the process leads its session (STAT `s`).
        public var isSessionLeader: Bool { sessionID == pid }

        /// Whether the process has more than one thread (STAT `l`).
        public var isMultithreaded: Bool { threadCount > 1 }

        /// Whether the process is in its terminal's foreground process group (STAT `+`).
        public var isInForegroundProcessGroup: Bool { processGroupID == foregroundProcessGroupID }

        /// The BSD-style flags `ps` appends to the state letter, in `ps`'s order:
        /// `<` high priority (nice < 0), `N` low priority (nice > 0), `L` pages locked in
        /// memory, `s` session leader, `l` multi-threaded, `+` foreground process group.
        public var statModifiers: String {
            var flags = ""
            if nice < 0 { flags += "<" }
            if nice > 0 { flags += "N" }
            if lockedMemoryKiB > 0 { flags += "L" }
            if isSessionLeader { flags += "s" }
            if isMultithreaded { flags += "l" }
            if isInForegroundProcessGroup { flags += "+" }
            return flags
        }

        /// The STAT column of `ps`: state letter and modifiers, such as `Ssl` or `R+`.
        public var stat: String { String(kernelState.letter) + statModifiers }

        /// The COMMAND column of `ps aux`: the arguments separated by spaces, or `[name]` when
        /// there are none (kernel threads, zombies), with ` <defunct>` after a zombie's name.
        /// Characters a terminal should not receive are shown as `?`.
        public var command: String {
            var args = arguments
            while args.last == "" { args.removeLast() }
            if !args.isEmpty {
                return DisplayText.psEscaped(args.joined(separator: " "))
            }
            let bracketed = "[" + DisplayText.psEscaped(name) + "]"
            return kernelState == .zombie ? bracketed + " <defunct>" : bracketed
        }

        init(
            stat: ProcStat, status: ProcStatus, arguments: [String], user: String,
            terminal: String?, threads: [ThreadEntry], context: SnapshotContext
        ) {
            pid = stat.pid
            parentPID = stat.parentPID
            uid = status.effectiveUID
            self.user = user
            nameBytes = stat.comm
            name = String(decoding: stat.comm, as: UTF8.self)
            self.arguments = arguments
            kernelState = KernelState(letter: stat.state)
            nice = stat.nice
            processGroupID = stat.processGroupID
            sessionID = stat.sessionID
            foregroundProcessGroupID = stat.foregroundProcessGroupID
            self.terminal = terminal
            threadCount = stat.threadCount
            self.threads = threads
            virtualMemoryKiB = status.virtualKiB
            residentMemoryKiB = status.residentKiB
            lockedMemoryKiB = status.lockedKiB
            startTicks = stat.startTicks

            let hz = UInt64(context.clockTicksPerSecond)
            let ticks = stat.userTicks + stat.systemTicks
            cpuTime = .milliseconds(Int64(ticks * 1000 / hz))
            startTime = context.bootTime + Int(stat.startTicks / hz)
            // procps 4: jiffies of life = (uptime - start/Hz) * Hz, truncated; then integer math.
            let lifetime = max(0, context.uptime - Double(stat.startTicks) / Double(hz))
            let lifetimeTicks = UInt64(lifetime * Double(hz))
            cpuUsagePerMille = lifetimeTicks == 0 ? 0 : Int(ticks * 1000 / lifetimeTicks)
            memoryUsagePerMille = context.memoryTotalKiB == 0
                ? 0 : min(999, Int(status.residentKiB * 1000 / context.memoryTotalKiB))
        }
    }

    /// A thread of a process other than its main thread.
    public struct ThreadEntry: Sendable, Hashable, Identifiable {
        /// The kernel thread id.
        public let tid: Int32
        /// The thread's own name (`comm` of the task; threads inherit the process name unless
        /// they set one).
        public let name: String

        /// The thread's `comm` as raw bytes.
        let nameBytes: [UInt8]

        /// The thread id.
        public var id: Int32 { tid }

        init(tid: Int32, nameBytes: [UInt8]) {
            self.tid = tid
            self.nameBytes = nameBytes
            self.name = String(decoding: nameBytes, as: UTF8.self)
        }
    }
}
