import Multitask

/// One process in `multitask ps --json`.
struct PSRecord: Encodable {
    var pid: Int32
    var ppid: Int32
    var user: String
    var uid: UInt32
    var name: String
    var command: String
    var arguments: [String]
    var state: String
    var stateMeaning: String
    var stat: String
    var processState: String
    var cpuPercent: Double
    var memoryPercent: Double
    var vszKiB: UInt64
    var rssKiB: UInt64
    var tty: String?
    var startTime: Int
    var cpuTimeSeconds: Double
    var nice: Int32
    var threads: Int
    var children: [PSRecord]?

    init(_ e: ProcessTable.Entry, children: [PSRecord]?) {
        pid = e.pid
        ppid = e.parentPID
        user = e.user
        uid = e.uid
        name = e.name
        command = e.command
        arguments = e.arguments
        state = e.kernelState.description
        stateMeaning = e.kernelState.meaning
        stat = e.stat
        processState = e.processState.rawValue
        cpuPercent = e.cpuPercent
        memoryPercent = e.memoryPercent
        vszKiB = e.virtualMemoryKiB
        rssKiB = e.residentMemoryKiB
        tty = e.terminal
        startTime = e.startTime
        let (seconds, attoseconds) = e.cpuTime.components
        cpuTimeSeconds = Double(seconds) + Double(attoseconds) / 1e18
        nice = e.nice
        threads = e.threadCount
        self.children = children
    }

    init(tree: ProcessTree) {
        self.init(tree.process, children: tree.children.map(PSRecord.init(tree:)))
    }
}
