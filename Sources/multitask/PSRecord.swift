import Multitask

/// One process in `multitask ps --json` and `multitask pstree --json`.
struct PSRecord {
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
    /// The names of the threads other than the main one (`pstree`'s `{name}`), when listed.
    var threadNames: [String]?
    var children: [PSRecord]?

    init(_ e: ProcessTable.Entry, children: [PSRecord]?, threadNames: Bool = false) {
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
        self.threadNames = threadNames ? e.threads.map(\.name) : nil
        self.children = children
    }

    /// The record of `tree`'s root, its children's records under `children`, down to the
    /// leaves; with `threadNames`, each lists its threads' names (the snapshot must include
    /// threads).
    init(tree: ProcessTree, threadNames: Bool = false) {
        self.init(tree.process, children: tree.children.map { PSRecord(tree: $0, threadNames: threadNames) }, threadNames: threadNames)
    }

    /// The record as JSON (optional fields left out when absent, as `JSONEncoder` does).
    var json: JSONValue {
        var members: [String: JSONValue] = [
            "pid": .integer(Int64(pid)), "ppid": .integer(Int64(ppid)), "user": .string(user),
            "uid": .integer(Int64(uid)), "name": .string(name), "command": .string(command),
            "arguments": .array(arguments.map(JSONValue.string)), "state": .string(state),
            "stateMeaning": .string(stateMeaning), "stat": .string(stat), "processState": .string(processState),
            "cpuPercent": .number(cpuPercent), "memoryPercent": .number(memoryPercent),
            "vszKiB": .integer(Int64(vszKiB)), "rssKiB": .integer(Int64(rssKiB)), "startTime": .integer(Int64(startTime)),
            "cpuTimeSeconds": .number(cpuTimeSeconds), "nice": .integer(Int64(nice)), "threads": .integer(Int64(threads)),
        ]
        if let tty { members["tty"] = .string(tty) }
        if let threadNames { members["threadNames"] = .array(threadNames.map(JSONValue.string)) }
        if let children { members["children"] = .array(children.map(\.json)) }
        return .object(members)
    }
}
